import uuid

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .choices import Commune, ImportKind, OrganisationKind, Role

# A place's telephone, as people write it: "03 20 12 34 56", "+33 3 20 12 34 56".
PHONE_VALIDATORS = [
    RegexValidator(
        r"^\+?[0-9][0-9 .()-]{5,28}$",
        _("A telephone number: digits, spaces, dots or dashes, + for abroad."),
    )
]


class AppendOnlyViolation(Exception):
    """An attempt to change or delete a row of an append-only table."""

    def __init__(self, row):
        super().__init__(f"{row._meta.verbose_name} {row.pk}: this table is append-only")


class AppendOnly(models.Model):
    """Rows written once: saving an existing row or deleting one raises. The database refuses
    it too (core.append_only.triggers in the table's migration)."""

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AppendOnlyViolation(self)
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyViolation(self)


class User(AbstractUser):
    """A person who logs in. What they may do comes from their membership."""

    class Meta(AbstractUser.Meta):  # type: ignore[name-defined]
        verbose_name = _("user")
        verbose_name_plural = _("users")
        swappable = "AUTH_USER_MODEL"


class Organisation(models.Model):
    """Every object belongs to one; every query is scoped to the caller's."""

    kind = models.CharField(_("kind"), max_length=16, choices=OrganisationKind.choices)
    name = models.CharField(_("name"), max_length=200)
    # For groceries, CCAS and the city: one of the three communes. For a producer: its village.
    commune = models.CharField(_("commune"), max_length=100, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(
                name="organisation_kind_valid",
                condition=Q(kind__in=OrganisationKind.values),
            ),
            models.CheckConstraint(
                name="organisation_urban_commune",
                condition=~Q(kind__in=["grocery", "ccas", "city"]) | Q(commune__in=Commune.values),
            ),
            models.UniqueConstraint(
                name="organisation_single_platform",
                fields=["kind"],
                condition=Q(kind="platform"),
            ),
        ]

    def __str__(self) -> str:
        return self.name


class WithOrganisationManager(models.Manager):
    """Reads a profile with its organisation, which holds its name and commune."""

    def get_queryset(self):
        return super().get_queryset().select_related("organisation")


class OrganisationProfile(models.Model):
    """What a grocery, producer or CCAS adds to its organisation. The name and the commune
    live in the organisation's row only; the profile reads them from there."""

    organisation: "models.OneToOneField[Organisation, Organisation]"

    objects = WithOrganisationManager()

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return self.organisation.name

    @property
    def commune(self) -> str:
        return self.organisation.commune


class Membership(models.Model):
    """The one organisation and role of a user."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="membership",
    )
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        related_name="memberships",
    )
    role = models.CharField(_("role"), max_length=32, choices=Role.choices)

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.CheckConstraint(name="membership_role_valid", condition=Q(role__in=Role.values)),
        ]

    def __str__(self) -> str:
        return f"{self.user} — {self.get_role_display()} — {self.organisation}"


class IdempotencyRecord(models.Model):
    """The first answer to a creating POST, replayed for the same key within 24 h."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    key = models.CharField(max_length=255)
    method = models.CharField(max_length=8)
    path = models.CharField(max_length=500)
    # SHA-256 of the request body: the same key with another body is refused.
    request_fingerprint = models.CharField(max_length=64)
    status_code = models.PositiveSmallIntegerField()
    response_body = models.JSONField()
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("idempotency record")
        verbose_name_plural = _("idempotency records")
        constraints = [
            models.UniqueConstraint(name="idempotency_user_key_unique", fields=["user", "key"]),
        ]

    def __str__(self) -> str:
        return f"{self.user_id}:{self.key}"


class TaskState(models.TextChoices):
    PENDING = "PENDING", _("Pending")  # queued, no worker has taken it yet
    STARTED = "STARTED", _("Started")  # a worker runs it
    PROGRESS = "PROGRESS", _("In progress")  # running, with a percentage
    SUCCESS = "SUCCESS", _("Succeeded")  # done; `result` holds the answer
    FAILURE = "FAILURE", _("Failed")  # stopped; `error` says why


class TaskRun(models.Model):
    """A long piece of work and its progress, kept in the database so every web process and
    worker sees the same state (GET /api/v1/tasks/{id}/)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    name = models.CharField(_("name"), max_length=100)
    state = models.CharField(
        _("state"), max_length=10, choices=TaskState.choices, default=TaskState.PENDING
    )
    progress = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    result = models.JSONField(_("result"), null=True, blank=True)
    error = models.TextField(_("error"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("background task")
        verbose_name_plural = _("background tasks")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(name="task_progress_range", condition=Q(progress__lte=100)),
        ]

    def __str__(self) -> str:
        return f"{self.name} {self.state}"


class DataImport(models.Model):
    """A file or link read for an import, kept with its dry run until it is confirmed, so
    that what is applied is exactly what was shown (DESIGN.md §13): a producer's catalogue
    (`organisation` is the producer's), or the coordinator's groceries or producers."""

    kind = models.CharField(_("kind"), max_length=16, choices=ImportKind.choices)
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisation"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="imports",
    )
    name = models.CharField(_("file or link"), max_length=2000)
    content = models.BinaryField(_("content"), default=b"", blank=True)
    preview = models.JSONField(_("dry run"), null=True, blank=True)
    # The fetch of a DFC link, in the background.
    task = models.ForeignKey(
        TaskRun, verbose_name=_("task"), on_delete=models.SET_NULL, null=True, blank=True
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    applied_at = models.DateTimeField(_("applied at"), null=True, blank=True)

    class Meta:
        verbose_name = _("import")
        verbose_name_plural = _("imports")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                name="data_import_kind_valid", condition=Q(kind__in=ImportKind.values)
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} — {self.name}"
