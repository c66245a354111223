from django.apps import AppConfig


class WebConfig(AppConfig):
    """The HTML door: pages, forms, templates, feeds, admin registrations and static files."""

    name = "paperfeed.web"
    label = "web"
    default_auto_field = "django.db.models.BigAutoField"
