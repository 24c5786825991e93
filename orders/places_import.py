"""The coordinator's bulk import of groceries or producers from a file (DESIGN.md §13): CSV or
XLSX with French columns, shown as a dry run (new, changed, unchanged, refused per row) and
applied only when confirmed, in one transaction.

Each row goes through the same services as the screens and the API (grocery_create,
producer_update…), in its own savepoint: whatever they refuse (an address the geocoder cannot
find, a place too far from the hub, opening hours the wrong way round) refuses that row alone.
A dry run is the same work, rolled back. A row is matched to an existing place by its name.
"""

import re
from datetime import datetime, time
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Field
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.choices import Commune, ImportKind
from core.errors import DomainError, InvalidInput, StateConflict
from core.models import DataImport, Organisation, User
from core.tables import (
    CellError,
    cell_text,
    choice_words,
    folded,
    french_decimal,
    table_rows,
    yes_no,
)
from producers import services as producer_services
from producers.models import Producer

from . import services
from .models import Grocery

COMMON = {
    "name": gettext_lazy("Name"),
    "commune": gettext_lazy("Commune"),
    "address": gettext_lazy("Address"),
    "phone": gettext_lazy("Phone"),
    "latitude": gettext_lazy("Latitude"),
    "longitude": gettext_lazy("Longitude"),
}
COLUMNS: dict[str, dict[str, Any]] = {
    ImportKind.GROCERIES: {
        **COMMON,
        "opens_at_time": gettext_lazy("Opens at"),
        "closes_at_time": gettext_lazy("Closes at"),
    },
    ImportKind.PRODUCERS: {
        **COMMON,
        "siret": gettext_lazy("SIRET"),
        "is_organic": gettext_lazy("Organic"),
        "available_from_time": gettext_lazy("Available from"),
        "available_until_time": gettext_lazy("Available until"),
    },
}
REQUIRED: dict[str, tuple[str, ...]] = {
    ImportKind.GROCERIES: ("name", "commune", "opens_at_time", "closes_at_time"),
    ImportKind.PRODUCERS: ("name", "commune"),
}
MODELS: dict[str, type[Grocery] | type[Producer]] = {
    ImportKind.GROCERIES: Grocery,
    ImportKind.PRODUCERS: Producer,
}
TIME = re.compile(r"^(\d{1,2})\s*[h:]\s*(\d{2})?(?::\d{2})?$")
SIRET = re.compile(r"^[0-9]{14}$")
TIMES = ("opens_at_time", "closes_at_time", "available_from_time", "available_until_time")


def _time(text: str, label: str) -> time:
    """9:00, 09h30, 9h, or a spreadsheet's 09:00:00."""
    found = TIME.match(text.strip().lower())
    hour, minute = (int(found.group(1)), int(found.group(2) or 0)) if found else (99, 0)
    if hour > 23 or minute > 59:
        raise CellError(
            _("%(column)s: « %(value)s » is not an hour (9:00, 14h30).")
            % {"column": label, "value": text}
        )
    return time(hour, minute)


def _fields(kind: str, row: dict[str, str]) -> dict[str, Any]:
    fields: dict[str, Any] = {}
    for name, cell in row.items():
        label = str(COLUMNS[kind][name])
        text = cell_text(cell, label).strip()
        if not text:
            continue
        if name == "commune" and kind == ImportKind.GROCERIES:
            words = choice_words(Commune.choices)
            if folded(text) not in words:
                raise CellError(
                    _("%(column)s: a grocery is in Lille, Lomme or Hellemmes (« %(value)s »).")
                    % {"column": label, "value": text}
                )
            fields[name] = words[folded(text)]
        elif name in TIMES:
            fields[name] = _time(text, label)
        elif name in ("latitude", "longitude"):
            fields[name] = french_decimal(text, label).quantize(Decimal("0.000001"))
        elif name == "is_organic":
            fields[name] = yes_no(text, label)
        elif name == "siret" and not SIRET.match(text.replace(" ", "")):
            raise CellError(f"{label} : {_('A SIRET has 14 digits.')}")
        elif name == "siret":
            fields[name] = text.replace(" ", "")
        else:
            fields[name] = text
        model = Organisation if name in ("name", "commune") else MODELS[kind]
        try:  # the table's own rules: lengths, the phone's and the SIRET's shapes
            model_field = model._meta.get_field(name)
            assert isinstance(model_field, Field)
            model_field.clean(fields[name], None)
        except ValidationError as error:
            raise CellError(f"{label} : {' '.join(error.messages)}") from None
    return fields


def _existing(kind: str) -> dict[str, Grocery | Producer]:
    return {
        folded(place.organisation.name): place
        for place in MODELS[kind].objects.select_related("organisation")
    }


def _changes(place: Grocery | Producer, fields: dict[str, Any]) -> dict[str, list]:
    changes = {}
    for name, value in fields.items():
        current = (
            getattr(place.organisation, name)
            if name in ("name", "commune")
            else getattr(place, name)
        )
        if name in ("latitude", "longitude") and current is not None:
            value = value.quantize(current)
        if current != value:
            changes[name] = [_shown(current), _shown(value)]
    return changes


def _shown(value: Any) -> str:
    """A value as the dry run shows it: an hour as 09:00."""
    return value.strftime("%H:%M") if isinstance(value, time) else str(value)


def _save(place: Grocery | Producer | None, kind: str, fields: dict[str, Any]) -> None:
    if isinstance(place, Grocery):
        services.grocery_update(grocery=place, **fields)
    elif isinstance(place, Producer):
        producer_services.producer_update(producer=place, **fields)
    elif kind == ImportKind.GROCERIES:
        services.grocery_create(**fields)
    else:
        producer_services.producer_create(**fields)


def places_import(*, kind: str, name: str, content: bytes, dry_run: bool = True) -> dict:
    """Read a file of groceries or producers and, unless `dry_run`, apply it:
    {"new", "changed", "unchanged", "refused", "applied"}, as a catalogue import answers."""
    if kind not in COLUMNS:
        raise InvalidInput(_("Import groceries or producers."), code="invalid")
    rows = table_rows(name=name, content=content, columns=COLUMNS[kind], required=REQUIRED[kind])
    if len(rows) > 2000:
        raise InvalidInput(
            _("An import holds at most %(max)d places; this one has %(count)d.")
            % {"max": 2000, "count": len(rows)},
            code="too_many_items",
        )
    new, changed, refused = [], [], []
    unchanged = 0
    with transaction.atomic():
        existing = _existing(kind)
        seen = set()
        for number, row in rows:
            key = _("line %(number)s") % {"number": number}
            try:
                fields = _fields(kind, row)
                named = folded(fields.get("name", ""))
                if named in seen:
                    raise CellError(_("This place appears twice in the import."))
                seen.add(named)
                place = existing.get(named)
                missing = [
                    str(COLUMNS[kind][name]) for name in REQUIRED[kind] if name not in fields
                ]
                if place is None and missing:
                    raise CellError(_("Empty: %(columns)s.") % {"columns": ", ".join(missing)})
                changes = _changes(place, fields) if place is not None else None
                if changes == {}:
                    unchanged += 1
                    continue
                with transaction.atomic():  # a row refused is rolled back alone
                    _save(place, kind, {name: fields[name] for name in changes or fields})
            except CellError as error:
                refused.append({"id": key, "reason": str(error)})
            except DomainError as error:
                refused.append({"id": key, "reason": error.message})
            else:
                shown = {name: _shown(value) for name, value in fields.items()}
                if place is not None:
                    changed.append({"id": key, "name": place.name, "changes": changes})
                else:
                    new.append({"id": key, **shown})
        if dry_run:
            transaction.set_rollback(True)
    return {
        "new": new,
        "changed": changed,
        "unchanged": unchanged,
        "refused": refused,
        "applied": not dry_run,
    }


def places_import_prepare(*, kind: str, name: str, content: bytes, user: User) -> DataImport:
    """A file read on the coordinator's screen, kept with its dry run until confirmed; a
    file that cannot be read at all is refused (InvalidInput) and nothing is kept."""
    preview = places_import(kind=kind, name=name, content=content)
    return DataImport.objects.create(
        kind=kind, name=name[:200], content=content, preview=preview, created_by=user
    )


@transaction.atomic
def places_import_confirm(*, data_import: DataImport, now: datetime) -> dict:
    """Apply what the dry run showed, from the very file it was read from."""
    prepared = DataImport.objects.select_for_update().get(pk=data_import.pk)
    if prepared.applied_at is not None:
        raise StateConflict(_("This import has been applied already."), code="import_applied")
    result = places_import(
        kind=prepared.kind, name=prepared.name, content=bytes(prepared.content), dry_run=False
    )
    prepared.preview, prepared.applied_at = result, now
    prepared.save(update_fields=["preview", "applied_at"])
    return result
