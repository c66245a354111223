from django.apps import AppConfig


class PapersConfig(AppConfig):
    name = "paperfeed.papers"
    label = "papers"
    default_auto_field = "django.db.models.BigAutoField"
