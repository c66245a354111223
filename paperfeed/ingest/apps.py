from django.apps import AppConfig


class IngestConfig(AppConfig):
    name = "paperfeed.ingest"
    label = "ingest"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Connects the HTTP client's request-mode signals before the first request (ingest/http.py).
        from . import http  # noqa: F401
