from django.apps import AppConfig


class VersionsConfig(AppConfig):
    name = "paperfeed.versions"
    label = "versions"
    default_auto_field = "django.db.models.BigAutoField"
