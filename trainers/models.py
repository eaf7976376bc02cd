import uuid

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _


class TrainerManager(BaseUserManager):
    use_in_migrations = True

    def get_by_natural_key(self, email):
        # Login is case-insensitive: "Alice@Example.org" signs in as alice@example.org.
        return self.get(email__iexact=email)

    def create_user(self, email, password=None, **extra):
        trainer = self.model(email=self.normalize_email(email).lower(), **extra)
        trainer.set_password(password)
        trainer.save(using=self._db)
        return trainer

    def create_superuser(self, email, password=None, **extra):
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        return self.create_user(email, password, **extra)


class Trainer(AbstractBaseUser, PermissionsMixin):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    email = models.EmailField(_("email"), max_length=254, unique=True)
    # How colleagues see them: on a shared session's changes, notes and debrief.
    name = models.CharField(_("name"), max_length=100, blank=True, db_default="")
    is_staff = models.BooleanField(_("staff"), default=False)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    # Also stamped by a PostgreSQL trigger (migration 0003) for changes made outside the ORM.
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = TrainerManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = []

    class Meta:
        db_table = "trainers"
        verbose_name = _("trainer")
        verbose_name_plural = _("trainers")
        constraints = [
            models.UniqueConstraint(Lower("email"), name="trainers_email_ci_unique"),
        ]

    def __str__(self):
        return self.email

    @property
    def display_name(self) -> str:
        return self.name or self.email

    def save(self, *args, **kwargs):
        self.email = self.email.strip().lower()
        super().save(*args, **kwargs)
