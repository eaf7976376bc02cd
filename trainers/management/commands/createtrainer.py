import getpass
import sys

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from trainers.demo import demo_credentials
from trainers.models import Trainer


class Command(BaseCommand):
    help = "Create a trainer account (password from a prompt, or --password-stdin)."

    def add_arguments(self, parser):
        parser.add_argument("email", nargs="?", help="The trainer's email, their login name.")
        parser.add_argument(
            "--password-stdin", action="store_true", help="Read the password from standard input."
        )
        parser.add_argument(
            "--demo",
            action="store_true",
            help="Make sure the demo trainer (DEMO_TRAINER_EMAIL / DEMO_TRAINER_PASSWORD) exists.",
        )

    def handle(self, *args, email=None, password_stdin=False, demo=False, **options):
        if demo:
            self.ensure_demo_trainer()
            return
        if not email:
            raise CommandError("Give the trainer's email, or --demo.")
        if Trainer.objects.filter(email__iexact=email.strip()).exists():
            raise CommandError(f"A trainer with the email {email} already exists.")
        password = self.read_password(password_stdin)
        try:
            validate_password(password, Trainer(email=email))
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from error
        trainer = Trainer.objects.create_user(email=email, password=password)
        self.stdout.write(f"Created trainer {trainer.email}.")

    def read_password(self, from_stdin: bool) -> str:
        if from_stdin:
            return sys.stdin.readline().rstrip("\n")
        password = getpass.getpass("Password: ")
        if password != getpass.getpass("Password (again): "):
            raise CommandError("The two passwords differ.")
        return password

    def ensure_demo_trainer(self):
        email, password = demo_credentials()
        if Trainer.objects.filter(email=email).exists():
            self.stdout.write(f"Demo trainer {email} already exists.")
        else:
            Trainer.objects.create_user(email=email, password=password)
            self.stdout.write(f"Created demo trainer {email} (password: {password}).")
