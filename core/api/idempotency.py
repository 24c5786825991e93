"""`Idempotency-Key` on creating POSTs (API.md, DESIGN.md §4.5).

The record is inserted before the work, in the same transaction: a second request with the
same key waits on the unique index until the first commits, then replays its answer. Only
successful answers are kept, so a refused request can be corrected and sent again.
"""

import hashlib
import json
from datetime import timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response

from core.errors import DomainError, InvalidInput
from core.models import IdempotencyRecord

HEADER = "Idempotency-Key"
RETENTION = timedelta(hours=24)


class _Refused(Exception):
    def __init__(self, response):
        self.response = response


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
    existing = IdempotencyRecord.objects.filter(user=request.user, key=key).first()
    if existing is not None and existing.created_at < timezone.now() - RETENTION:
        # Expired: the key is free again (read first: a delete on every request cost a
        # transaction of its own).
        existing.delete()
        existing = None
    if existing is not None and existing.status_code:
        return _replay(existing, request, fingerprint)
    try:
        with transaction.atomic():
            try:
                with transaction.atomic():
                    record = IdempotencyRecord.objects.create(
                        user=request.user,
                        key=key,
                        method=request.method,
                        path=request.path,
                        request_fingerprint=fingerprint,
                        status_code=0,
                        response_body={},
                    )
            except IntegrityError:
                # Another request with this key committed first: answer as it did.
                existing = IdempotencyRecord.objects.get(user=request.user, key=key)
                return _replay(existing, request, fingerprint)
            response = produce()
            if not 200 <= response.status_code < 300:
                raise _Refused(response)
            record.status_code = response.status_code
            record.response_body = json.loads(JSONRenderer().render(response.data))
            record.save(update_fields=["status_code", "response_body"])
            return response
    except _Refused as refused:
        return refused.response


class IdempotentCreateMixin:
    def create(self, request, *args, **kwargs):
        return respond_idempotently(
            request, lambda: super(IdempotentCreateMixin, self).create(request, *args, **kwargs)
        )
