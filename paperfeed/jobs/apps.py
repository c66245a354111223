from django.apps import AppConfig


class JobsConfig(AppConfig):
    name = "paperfeed.jobs"
    label = "jobs"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # A paper queued by a member wakes the worker (jobs/wake.py).
        from .wake import connect

        connect()
