"""The one exception handler: every error leaves the API in the contract's body.

400 → {"code","message","fields"}; 401/403/404/405/409/413/429 → {"code","message"}.
"""

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework import exceptions, status
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import set_rollback

from core.errors import DomainError


class PayloadTooLarge(exceptions.ParseError):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_code = "payload_too_large"


def _flatten(detail) -> list[str]:
    if isinstance(detail, dict):
        return [message for value in detail.values() for message in _flatten(value)]
    if isinstance(detail, list):
        return [message for value in detail for message in _flatten(value)]
    return [str(detail)]


def _fields(detail) -> dict[str, list[str]]:
    """DRF's nested detail → {field: [messages]}; nested paths are joined with dots."""
    if isinstance(detail, list):
        if detail and all(isinstance(item, dict) for item in detail):
            fields = {}
            for index, item in enumerate(detail):
                for name, messages in _fields(item).items():
                    fields[f"{index}.{name}"] = messages
            return fields
        return {api_settings.NON_FIELD_ERRORS_KEY: _flatten(detail)}
    fields = {}
    for name, value in detail.items():
        if isinstance(value, dict) or (
            isinstance(value, list) and value and isinstance(value[0], dict)
        ):
            for sub_name, messages in _fields(value).items():
                # A list's own error ("may not be empty") belongs to the list itself.
                key = (
                    name if sub_name == api_settings.NON_FIELD_ERRORS_KEY else f"{name}.{sub_name}"
                )
                fields.setdefault(key, []).extend(messages)
        else:
            fields[name] = _flatten(value)
    return fields


def validation_error_body(detail) -> dict:
    fields = _fields(detail)
    messages = [f"{name} : {' '.join(texts)}" for name, texts in fields.items()]
    return {
        "code": "invalid",
        "message": _("The request is not valid: %(details)s") % {"details": " ; ".join(messages)},
        "fields": fields,
    }


def _errors_in_json(context) -> None:
    """An error asked for as CSV, XLSX or PDF is still the contract's JSON body: file renderers
    cannot write it (an XLSX renderer given a dict of messages failed with a 500)."""
    request = context.get("request")
    renderer = getattr(request, "accepted_renderer", None)
    if renderer is not None and renderer.format not in ("json", "api"):
        request.accepted_renderer = JSONRenderer()
        request.accepted_media_type = JSONRenderer.media_type


def exception_handler(exc, context):
    _errors_in_json(context)
    if isinstance(exc, DomainError):
        body = {"code": exc.code, "message": exc.message}
        if exc.status_code == status.HTTP_400_BAD_REQUEST:
            body["fields"] = exc.fields or {}
        set_rollback()
        return Response(body, status=exc.status_code)

    if isinstance(exc, RequestDataTooBig):
        exc = PayloadTooLarge(_("The request body is too large."))
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(
            exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        )
    if isinstance(exc, OverflowError):
        # A number past the database's integers in a filter or a body (SQLite cannot bind it).
        exc = exceptions.ValidationError(
            {api_settings.NON_FIELD_ERRORS_KEY: [_("A number is too large.")]}
        )
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()

    if not isinstance(exc, exceptions.APIException):
        return None

    headers = {}
    if getattr(exc, "auth_header", None):
        headers["WWW-Authenticate"] = exc.auth_header
    if getattr(exc, "wait", None):
        headers["Retry-After"] = str(int(exc.wait))

    if isinstance(exc, exceptions.ValidationError):
        body = validation_error_body(exc.detail)
    elif isinstance(exc, exceptions.ParseError):
        code = exc.get_codes() if isinstance(exc.get_codes(), str) else "parse_error"
        if code == "parse_error":
            code = "malformed_json"
        body = {"code": code, "message": str(exc.detail)}
        if exc.status_code == status.HTTP_400_BAD_REQUEST:
            body["fields"] = {}
    else:
        code = exc.get_codes()
        body = {
            "code": code if isinstance(code, str) else exc.default_code,
            "message": str(exc.detail) if not isinstance(exc.detail, (dict, list)) else "",
        }
    set_rollback()
    return Response(body, status=exc.status_code, headers=headers)
