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
