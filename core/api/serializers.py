import copy
from datetime import date

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from core.api.fields import CharField, ModelSerializer
from core.choices import OrganisationKind, Role
from core.models import Organisation, TaskRun, User


class FieldsBuiltOnce:
    """For a ModelSerializer on a hot path: its fields are built from the model once per
    class, then copied, instead of introspected again for every serializer made.

    DRF rebuilds them on each instantiation (a nested many=True serializer too); on the
    order paths that was about a tenth of a request. The fields depend only on the class
    (Meta and declared fields); what __init__ changes on self.fields stays per instance."""

    def get_fields(self):
        built = type(self).__dict__.get("_fields_built")
        if built is None:
            built = super().get_fields()
            type(self)._fields_built = built
        return copy.deepcopy(built)


class OrganisationSerializer(ModelSerializer):
    kind = serializers.ChoiceField(choices=OrganisationKind.choices)
    commune = CharField(max_length=100, required=False, allow_blank=True, default="")

    class Meta:
        model = Organisation
        fields = ["id", "kind", "name", "commune"]


class OrganisationBriefSerializer(ModelSerializer):
    class Meta:
        model = Organisation
        fields = ["id", "kind", "name"]


class MeSerializer(serializers.Serializer):
    username = CharField()
    role = serializers.ChoiceField(choices=Role.choices)
    organisation = OrganisationBriefSerializer()


class UserCreateSerializer(serializers.Serializer):
    username = serializers.RegexField(
        r"^[\w.@+-]+\Z",
        max_length=150,
        error_messages={"invalid": _("Letters, digits and @/./+/-/_ only.")},
    )
    # Without a password, an invitation to choose one goes to `email` (DESIGN.md §11).
    password = CharField(
        write_only=True,
        max_length=128,
        required=False,
        allow_blank=True,
        style={"input_type": "password"},
    )
    email = serializers.EmailField(required=False, allow_blank=True)
    role = serializers.ChoiceField(choices=Role.choices)
    organisation_id = serializers.PrimaryKeyRelatedField(
        queryset=Organisation.objects.all(), source="organisation"
    )


class UserSerializer(ModelSerializer):
    role = CharField(source="membership.role")
    organisation_id = serializers.IntegerField(source="membership.organisation_id")

    class Meta:
        model = User
        fields = ["id", "username", "email", "role", "organisation_id"]


class TokenRequestSerializer(serializers.Serializer):
    username = CharField(max_length=150)
    password = CharField(max_length=128, style={"input_type": "password"})


class TokenSerializer(serializers.Serializer):
    token = CharField()


class TaskRunSerializer(ModelSerializer):
    task_id = serializers.UUIDField(source="id", read_only=True)

    class Meta:
        model = TaskRun
        fields = ["task_id", "name", "state", "progress", "result", "error", "created_at"]


class TaskAcceptedSerializer(serializers.Serializer):
    task_id = serializers.UUIDField()


class PeriodQuerySerializer(serializers.Serializer):
    """`?from=&to=` (days, both included); a missing end takes `default_period`'s."""

    def get_fields(self):
        return {
            **super().get_fields(),
            "from": serializers.DateField(required=False),
            "to": serializers.DateField(required=False),
        }

    def default_period(self, today: date) -> tuple[date, date]:
        """The current calendar year."""
        return date(today.year, 1, 1), date(today.year, 12, 31)

    def validate(self, attrs):
        for key in ("from", "to"):
            if key in self.initial_data and not self.initial_data[key]:
                message = _("A date (YYYY-MM-DD), or no parameter at all.")
                raise serializers.ValidationError({key: [message]})
        start, end = self.default_period(timezone.localdate())
        attrs.setdefault("from", start)
        attrs.setdefault("to", end)
        if attrs["from"] > attrs["to"]:
            raise serializers.ValidationError({"to": [_("The period must end after it starts.")]})
        return attrs


class DryRunField(serializers.BooleanField):
    """`dry_run`, true unless said otherwise, in a form too (where DRF reads a missing
    checkbox as false)."""

    default_empty_html = serializers.empty


class ImportUploadSerializer(serializers.Serializer):
    """A file to import: read as a dry run unless `dry_run` is false."""

    file = serializers.FileField(allow_empty_file=False)
    dry_run = DryRunField(default=True)


class ImportRefusalSerializer(serializers.Serializer):
    id = serializers.CharField()
    reason = serializers.CharField()


class ImportResultSerializer(serializers.Serializer):
    """What an import adds, changes, leaves and refuses; `applied` says whether it did."""

    new = serializers.ListField(child=serializers.DictField())
    changed = serializers.ListField(child=serializers.DictField())
    unchanged = serializers.IntegerField()
    refused = ImportRefusalSerializer(many=True)
    applied = serializers.BooleanField()
