"""`Idempotency-Key` on creating POSTs (API.md, DESIGN.md §4.5).

Optimistic: the work runs, and its answer is recorded in the same transaction. A second
request with the same key either collides on the unique index when it records its answer
(waiting there until the first commits) and is rolled back, or is refused by its own work
(the order it would place exists); both then replay the first answer. The key costs one
INSERT on the way that is taken every time, and a read only on the rare ways. Only
successful answers are kept, so a refused request can be corrected and sent again.
"""

import hashlib
import json
from datetime import timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework.exceptions import APIException
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response

from core.errors import DomainError, InvalidInput
from core.models import IdempotencyRecord

HEADER = "Idempotency-Key"
RETENTION = timedelta(hours=24)


class _Refused(Exception):
    def __init__(self, response):
        self.response = response


class _KeyTaken(Exception):
    """The key already holds an answer: the work done here is rolled back."""


def _fingerprint(request) -> str:
    canonical = json.dumps(request.data, sort_keys=True, default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


def _replay(record: IdempotencyRecord, request, fingerprint: str) -> Response:
    if record.path != request.path or record.request_fingerprint != fingerprint:
        raise DomainError(
            _("This Idempotency-Key was already used for another request."),
            code="idempotency_key_reused",
        )
    response = Response(record.response_body, status=record.status_code)
    response["Idempotent-Replayed"] = "true"
    return response


def _kept(request, key: str) -> IdempotencyRecord | None:
    """The answer kept for this key, if it is still within its 24 h (an older one is
    deleted: the key is free again)."""
    record = IdempotencyRecord.objects.filter(user=request.user, key=key).first()
    if record is not None and record.created_at < timezone.now() - RETENTION:
        record.delete()
        return None
    return record


def _produce_and_keep(request, key: str, fingerprint: str, produce) -> Response:
    with transaction.atomic():
        response = produce()
        if not 200 <= response.status_code < 300:
            raise _Refused(response)
        try:
            IdempotencyRecord.objects.create(
                user=request.user,
                key=key,
                method=request.method,
                path=request.path,
                request_fingerprint=fingerprint,
                status_code=response.status_code,
                response_body=json.loads(JSONRenderer().render(response.data)),
            )
        except IntegrityError as error:
            # Leaving the block by an exception rolls the work back, before any other query.
            raise _KeyTaken from error
        return response


def respond_idempotently(request, produce) -> Response:
    key = request.headers.get(HEADER)
    if not key:
        return produce()
    if len(key) > 255:
        raise InvalidInput(
            _("The Idempotency-Key header is longer than 255 characters."),
            code="invalid",
            fields={HEADER: [_("At most 255 characters.")]},
        )
    fingerprint = _fingerprint(request)
    for _attempt in range(2):  # a second time only when the key held an expired answer
        try:
            return _produce_and_keep(request, key, fingerprint, produce)
        except _Refused as refused:
            # A request sent again after its answer was lost: its work is now refused (the
            # order exists), the first answer is what the client is waiting for.
            kept = _kept(request, key)
            return refused.response if kept is None else _replay(kept, request, fingerprint)
        except (DomainError, APIException):
            kept = _kept(request, key)
            if kept is None:
                raise
            return _replay(kept, request, fingerprint)
        except _KeyTaken:
            kept = _kept(request, key)
            if kept is not None:
                return _replay(kept, request, fingerprint)
    raise DomainError(
        _("This Idempotency-Key is in use; send the request again."),
        code="idempotency_key_in_use",
    )


class IdempotentCreateMixin:
    def create(self, request, *args, **kwargs):
        return respond_idempotently(
            request, lambda: super(IdempotentCreateMixin, self).create(request, *args, **kwargs)
        )
