"""The demo trainer that `make run` signs in with (SEED_DEMO_TRAINER=true)."""

import environ

DEFAULT_EMAIL = "demo@shiller.local"
DEFAULT_PASSWORD = "shiller-demo"


def demo_credentials(force: bool = False) -> tuple[str, str] | None:
    """(email, password) when SEED_DEMO_TRAINER=true (or `force`), else None."""
    env = environ.Env()
    if not force and not env.bool("SEED_DEMO_TRAINER", default=False):
        return None
    return (
        env("DEMO_TRAINER_EMAIL", default=DEFAULT_EMAIL).strip().lower(),
        env("DEMO_TRAINER_PASSWORD", default=DEFAULT_PASSWORD),
    )
