from django.apps import AppConfig


class ConsumidorConfig(AppConfig):
    name = "consumidor"
    verbose_name = "Portal do consumidor"
