from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps


class ProtocoloConfig(AppConfig):
    name = "protocolo"
    verbose_name = "Protocolos de atendimento"

    def ready(self):
        from django.contrib.auth.signals import user_logged_in

        from protocolo.contas import sessao
        from protocolo.operacao import verificacoes  # noqa: F401  (registers the deployment checks)

        user_logged_in.connect(sessao.marcar_atividade, dispatch_uid="protocolo.contas.sessao.marcar_atividade")


class AdminComSegundoFator(admin_apps.AdminConfig):
    """Django's admin with the site that asks for a second factor (protocolo/contas/segundo_fator.py). Named in
    INSTALLED_APPS in place of django.contrib.admin; never this module's default configuration."""

    default = False
    default_site = "protocolo.contas.segundo_fator.SiteAdmin"
