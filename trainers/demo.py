"""The demo trainer that `make run` signs in with (`createtrainer --demo` makes sure it exists)."""

import environ

DEFAULT_EMAIL = "demo@shiller.local"
DEFAULT_PASSWORD = "shiller-demo"


def demo_credentials() -> tuple[str, str]:
    """(email, password): DEMO_TRAINER_EMAIL and DEMO_TRAINER_PASSWORD, or the defaults."""
    env = environ.Env()
    return (
        env("DEMO_TRAINER_EMAIL", default=DEFAULT_EMAIL).strip().lower(),
        env("DEMO_TRAINER_PASSWORD", default=DEFAULT_PASSWORD),
    )


def has_public_password() -> bool:
    """Whether the demo trainer exists and still signs in with the password the README prints."""
    from django.db import DatabaseError

    from trainers.models import Trainer

    try:
        trainer = Trainer.objects.filter(email=demo_credentials()[0]).first()
    except DatabaseError:  # not migrated yet: there is no demo trainer to warn about
        return False
    return trainer is not None and trainer.check_password(DEFAULT_PASSWORD)
