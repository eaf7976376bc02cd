import datetime
import hashlib
import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class School(models.Model):
    """A simulation centre or faculty: its trainers share a library and see each other's sessions
    as their roles allow (schools/access.py)."""

    NAME_MAX = 100

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    name = models.CharField(_("name"), max_length=NAME_MAX)
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        db_table = "schools"
        ordering = ["name", "created_at"]
        verbose_name = _("school")
        verbose_name_plural = _("schools")

    def __str__(self):
        return self.name


class Membership(models.Model):
    ADMIN = "admin"
    TRAINER = "trainer"
    ROLES = {
        ADMIN: _("school admin"),
        TRAINER: _("trainer"),
    }

    school = models.ForeignKey(
        School, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("school")
    )
    trainer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="memberships",
        verbose_name=_("trainer"),
    )
    role = models.CharField(_("role"), max_length=10, choices=ROLES.items(), default=TRAINER)
    created_at = models.DateTimeField(_("joined"), default=timezone.now)

    class Meta:
        db_table = "school_memberships"
        ordering = ["school", "created_at"]
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(
                fields=["school", "trainer"], name="school_memberships_once_per_school"
            )
        ]

    def __str__(self):
        return f"{self.trainer} · {self.school} ({self.role})"

    @property
    def is_admin(self) -> bool:
        return self.role == self.ADMIN

    def role_label(self):
        return self.ROLES[self.role]


def hash_token(token: str) -> str:
    """Invitations keep only a digest: a database dump does not hand out working links."""
    return hashlib.sha256(token.encode()).hexdigest()


class Invitation(models.Model):
    VALID_FOR = datetime.timedelta(days=7)

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    school = models.ForeignKey(
        School, on_delete=models.CASCADE, related_name="invitations", verbose_name=_("school")
    )
    email = models.EmailField(_("email"), max_length=254)
    role = models.CharField(
        _("role"), max_length=10, choices=Membership.ROLES.items(), default=Membership.TRAINER
    )
    token_hash = models.CharField(_("token digest"), max_length=64, unique=True, editable=False)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("invited by"),
    )
    created_at = models.DateTimeField(_("sent"), default=timezone.now)
    expires_at = models.DateTimeField(_("expires"))
    accepted_at = models.DateTimeField(_("accepted"), null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("accepted by"),
    )
    revoked_at = models.DateTimeField(_("withdrawn"), null=True, blank=True)

    class Meta:
        db_table = "school_invitations"
        ordering = ["-created_at"]
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")

    def __str__(self):
        return f"{self.email} → {self.school}"

    def is_pending(self, now=None) -> bool:
        now = now or timezone.now()
        return self.accepted_at is None and self.revoked_at is None and self.expires_at > now
