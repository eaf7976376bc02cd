from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from sessions_app import privacy


class Command(BaseCommand):
    help = (
        "Replace the trainee's name of every session that ended more than RETENTION_DAYS days"
        " ago (events, logged actions and scores stay). Safe to run nightly, and twice."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run", action="store_true", help="List the sessions (codes); change nothing."
        )
        parser.add_argument(
            "--days", type=int, help=f"Instead of RETENTION_DAYS ({settings.RETENTION_DAYS})."
        )

    def handle(self, *args, dry_run=False, days=None, **options):
        if days is not None and days < 1:
            raise CommandError("--days is 1 or more.")
        done = privacy.anonymise(days=days, dry_run=dry_run)
        # Codes and ids only: the operator's terminal and cron mail never get a trainee's name.
        for session_id, code in done.sessions:
            self.stdout.write(f"{code} {session_id}")
        verb = "Would anonymise" if dry_run else "Anonymised"
        self.stdout.write(
            f"{verb} the trainee of {len(done.sessions)} session(s) ended before"
            f" {done.cutoff.isoformat(timespec='seconds')}, and {done.screen_names} screen"
            " name(s) typed on the join page."
        )
