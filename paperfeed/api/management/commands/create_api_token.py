"""``paperfeed manage create_api_token USERNAME``: issue a personal API token, shown once."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from paperfeed.accounts.models import ApiToken


class Command(BaseCommand):
    help = "Create a personal API token for a member (printed once; only its hash is stored)."

    def add_arguments(self, parser):
        parser.add_argument("username", help="The member who gets the token")
        parser.add_argument("--name", default="default", help="A label to tell tokens apart (default: default)")

    def handle(self, *args, username: str, name: str, **options):
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"No member named {username!r} (create one with `paperfeed manage createsuperuser`)")
        if not user.is_active:
            raise CommandError(f"{username!r} is disabled; enable the account first")
        name = name.strip()[:100] or "default"
        token, secret = ApiToken.issue(user, name=name)
        self.stdout.write(secret)
        self.stderr.write(
            f"Token {token.prefix}… ({name!r}) for {username}. Keep it secret: it is shown only now.\n"
            f"Use it as: curl -H 'Authorization: Bearer {token.prefix}…' …"
        )
