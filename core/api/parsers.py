import json

from django.conf import settings
from django.utils.translation import gettext as _
from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser

from core.api.errors import PayloadTooLarge


class BoundedJSONParser(JSONParser):
    """JSON only, refused before parsing when larger than API_MAX_BODY_BYTES."""

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
            return json.loads(raw.decode(settings.DEFAULT_CHARSET))
        except UnicodeDecodeError as error:
            raise ParseError(_("The request body is not UTF-8 text.")) from error
        except json.JSONDecodeError as error:
            raise ParseError(
                _("The request body is not valid JSON (line %(line)d, column %(column)d).")
                % {"line": error.lineno, "column": error.colno}
            ) from error

    @staticmethod
    def _message(limit: int) -> str:
        return _("The request body is larger than %(limit)d kB.") % {"limit": limit // 1024}
