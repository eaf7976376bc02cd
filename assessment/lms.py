"""The keys a school's learning platform fetches xAPI statements with (docs/xapi.md).

A trainer makes one on their profile page and gives it to the LMS, which sends it as
`Authorization: Bearer <key>`; it opens exactly the sessions its owner may see
(schools/access.py), read-only. Only the key's SHA-256 is stored: a key is 32 random bytes, so
a fast hash is enough, and a leaked table opens nothing.
"""

import datetime
import hashlib
import secrets
from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from assessment.models import LmsToken

KEY_PREFIX = "shl_"
MAX_ACTIVE = 10
# last_used_at is written at most this often: not one UPDATE per request of a paging LMS.
USED_RESOLUTION = datetime.timedelta(minutes=1)


@dataclass
class Refused(Exception):
    status: int
    message: str


def _digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def active_tokens(trainer):
    return LmsToken.objects.filter(trainer=trainer, revoked_at__isnull=True)


def create_token(trainer, name: str) -> tuple[LmsToken, str]:
    """A new key for `trainer`, and the key itself: the only time anyone sees it."""
    key = KEY_PREFIX + secrets.token_urlsafe(32)
    token = LmsToken.objects.create(
        trainer=trainer, name=name, prefix=key[:10], key_hash=_digest(key)
    )
    return token, key


def revoke(trainer, pk, now=None) -> bool:
    """Revoke one of the trainer's keys; False when it is not theirs or already revoked."""
    return bool(active_tokens(trainer).filter(pk=pk).update(revoked_at=now or timezone.now()))


def authenticate(authorization: str, now=None):
    """The trainer an `Authorization` header's key belongs to; Refused otherwise (401 for no,
    a malformed, unknown or revoked key; 403 for a key whose owner can no longer log in)."""
    now = now or timezone.now()
    scheme, _space, key = authorization.strip().partition(" ")
    key = key.strip()
    if scheme.lower() != "bearer" or not key:
        raise Refused(401, _("Send an LMS key: Authorization: Bearer <key>."))
    token = (
        LmsToken.objects.select_related("trainer")
        .filter(key_hash=_digest(key), revoked_at__isnull=True)
        .first()
    )
    if token is None:
        raise Refused(401, _("This LMS key is unknown or was revoked."))
    if not token.trainer.is_active:
        raise Refused(403, _("The owner of this LMS key can no longer log in."))
    if token.last_used_at is None or now - token.last_used_at >= USED_RESOLUTION:
        LmsToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.trainer
