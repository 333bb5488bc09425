"""`parvis demo`: seed the fictional Val de Brune intercommunalité (demo mode only)."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from parvis.core.database import database_statistics_refresh
from parvis.demo import seed


class Command(BaseCommand):
    help = "Seed a deterministic demo territory and print the demo accounts."

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--code",
            metavar="EMAIL",
            help="Print the current two-factor code of a demo staff account and exit.",
        )
        parser.add_argument("--quiet", action="store_true", help="Do not print the accounts.")

    def handle(self, *args, code: str | None = None, quiet: bool = False, **options) -> None:
        if not settings.PARVIS_DEMO:
            raise CommandError("Demo data exists only in demo mode (PARVIS_DEMO=true).")
        if code:
            self.stdout.write(seed.current_totp_code(code))
            return
        created = seed.seed_demo()
        database_statistics_refresh()  # as the nightly job would: the planner needs them
        if not quiet:
            self.stdout.write(seed.accounts_summary(created=created))
