from django.apps import AppConfig


class TetoConfig(AppConfig):
    name = "teto"
    default_auto_field = "django.db.models.BigAutoField"
