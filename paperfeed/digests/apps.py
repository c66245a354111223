from django.apps import AppConfig


class DigestsConfig(AppConfig):
    name = "paperfeed.digests"
    label = "digests"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from . import signals  # noqa: F401 - connects the receivers that keep cached picks current
