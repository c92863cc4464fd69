from django.apps import AppConfig


class ProtocoloConfig(AppConfig):
    name = "protocolo"
    verbose_name = "Protocolos de atendimento"
