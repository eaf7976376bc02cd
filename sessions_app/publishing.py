"""How the session core reports what changed without knowing who shows it.

Services call `publish` after their transaction commits; the live transport (live/publish.py)
registers the function that sends a message to the session's screens and control pages when
Django starts (live/apps.py). The core never imports Channels.
"""

import uuid
from collections.abc import Callable

Publisher = Callable[[uuid.UUID | str, dict, bool], bool]

_publishers: list[Publisher] = []


def register(publisher: Publisher) -> None:
    if publisher not in _publishers:
        _publishers.append(publisher)


def publish(session_id: uuid.UUID | str, message: dict, ended: bool = False) -> bool:
    """Hand `message` to every publisher; True when each of them delivered it (and there is one:
    with none, no screen was reached)."""
    results = [publisher(session_id, message, ended) for publisher in _publishers]
    return bool(results) and all(results)
