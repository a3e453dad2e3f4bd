"""Prints a new personal API token of a user (for operators and benchmarks; people use their security page)."""

from django.core.management.base import BaseCommand, CommandError

from accounts.models import User
from accounts.scopes import ALL_SCOPES, READ_SCOPES
from accounts.services import personal_token_create


class Command(BaseCommand):
    help = "Creates a personal API token for USERNAME (audited as made by that user) and prints it once."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--scopes", default="", help="space-separated scopes; default every read scope")
        parser.add_argument("--write", action="store_true", help="every read and write scope")
        parser.add_argument("--days", type=int, default=30)
        parser.add_argument("--name", default="command line")

    def handle(self, *args, username, scopes, write, days, name, **options):
        user = User.objects.filter(username=username, is_active=True).first()
        if user is None:
            raise CommandError(f"No active user {username!r}.")
        wanted = scopes.split() if scopes else (ALL_SCOPES if write else READ_SCOPES)
        _token, raw = personal_token_create(actor=user, name=name, scopes=wanted, days=days)
        self.stdout.write(raw)
