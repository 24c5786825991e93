import json

from django.conf import settings
from django.utils.translation import gettext as _
from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser, MultiPartParser

from core.api.errors import PayloadTooLarge

# No request of the contract nests deeper than a few levels (an order's lines: 3).
MAX_JSON_DEPTH = 20


class JSONTooDeep(ParseError):
    default_code = "json_too_deep"


def _deeper_than(value, limit: int) -> bool:
    """Whether `value` nests more than `limit` levels, walked without recursion."""
    pending = [(value, 1)]
    while pending:
        value, depth = pending.pop()
        if isinstance(value, dict | list):
            if depth > limit:
                return True
            children = value.values() if isinstance(value, dict) else value
            pending.extend((child, depth + 1) for child in children)
    return False


class BoundedJSONParser(JSONParser):
    """JSON only, refused before parsing when larger than API_MAX_BODY_BYTES, and after
    parsing when nested deeper than MAX_JSON_DEPTH."""

    def parse(self, stream, media_type=None, parser_context=None):
        limit = settings.API_MAX_BODY_BYTES
        request = parser_context["request"] if parser_context else None
        declared = request.META.get("CONTENT_LENGTH") if request is not None else None
        if declared and declared.isdigit() and int(declared) > limit:
            raise PayloadTooLarge(self._message(limit))
        # A chunked body declares no length: read one byte more than allowed to know.
        raw = stream.read(limit + 1) if stream is not None else b""
        if len(raw) > limit:
            raise PayloadTooLarge(self._message(limit))
        try:
            data = json.loads(raw.decode(settings.DEFAULT_CHARSET))
        except RecursionError as error:  # thousands of levels: the parser gives up
            raise JSONTooDeep(self._too_deep()) from error
        except UnicodeDecodeError as error:
            raise ParseError(_("The request body is not UTF-8 text.")) from error
        except json.JSONDecodeError as error:
            raise ParseError(
                _("The request body is not valid JSON (line %(line)d, column %(column)d).")
                % {"line": error.lineno, "column": error.colno}
            ) from error

        if _deeper_than(data, MAX_JSON_DEPTH):
            raise JSONTooDeep(self._too_deep())
        return data

    @staticmethod
    def _too_deep() -> str:
        return _("The request body nests more than %(depth)d levels.") % {"depth": MAX_JSON_DEPTH}

    @staticmethod
    def _message(limit: int) -> str:
        return _("The request body is larger than %(limit)d kB.") % {"limit": limit // 1024}


class BoundedMultiPartParser(MultiPartParser):
    """A file upload (a bank statement, a catalogue), refused before it is read when its body
    is larger than API_MAX_UPLOAD_BYTES."""

    def parse(self, stream, media_type=None, parser_context=None):
        limit = settings.API_MAX_UPLOAD_BYTES
        request = parser_context["request"] if parser_context else None
        declared = request.META.get("CONTENT_LENGTH") if request is not None else None
        if declared and declared.isdigit() and int(declared) > limit:
            raise PayloadTooLarge(
                _("The file is larger than %(limit)d MB.") % {"limit": limit // 2**20}
            )
        return super().parse(stream, media_type, parser_context)
