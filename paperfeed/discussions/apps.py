from django.apps import AppConfig


class DiscussionsConfig(AppConfig):
    name = "paperfeed.discussions"
    label = "discussions"
    default_auto_field = "django.db.models.BigAutoField"
