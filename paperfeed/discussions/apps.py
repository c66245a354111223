from django.apps import AppConfig


class DiscussionsConfig(AppConfig):
    name = "paperfeed.discussions"
    label = "discussions"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from . import signals  # noqa: F401 - connects the receivers that move the comment counts' token
