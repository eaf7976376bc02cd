from django.core.management.base import BaseCommand

from sessions_app import services


class Command(BaseCommand):
    help = "Close every open session past its end and tell its screens. Safe to run every minute."

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run", action="store_true", help="List the sessions that would close; change nothing."
        )

    def handle(self, *args, dry_run=False, **options):
        expired = services.expire_sessions(dry_run=dry_run)
        for session_id, code in expired:
            self.stdout.write(f"{code} {session_id}")
        verb = "Would close" if dry_run else "Closed"
        self.stdout.write(f"{verb} {len(expired)} expired session(s).")
