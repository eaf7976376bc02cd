"""Channel-layer group names, in one place.

A session's screens are reached through one group, whose members are the per-process fan-out
hubs (live/fanout.py), not the screens themselves; its trainer's control pages join
the other group directly (there are only a few of them).
"""

import uuid


def screens_group(session_id: uuid.UUID | str) -> str:
    return f"session.{session_id}.screens"


def control_group(session_id: uuid.UUID | str) -> str:
    return f"session.{session_id}.control"


def session_of(group: str) -> str:
    """The session id in either group's name."""
    return group.split(".")[1]
