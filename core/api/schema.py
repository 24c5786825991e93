"""OpenAPI: every operation documents the contract's error bodies beside its success."""

from drf_spectacular import openapi
from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, inline_serializer
from rest_framework import serializers

ValidationErrorSerializer = inline_serializer(
    name="ValidationError",
    fields={
        "code": serializers.CharField(),
        "message": serializers.CharField(),
        "fields": serializers.DictField(child=serializers.ListField(child=serializers.CharField())),
    },
)
ErrorSerializer = inline_serializer(
    name="Error",
    fields={"code": serializers.CharField(), "message": serializers.CharField()},
)

ERROR_RESPONSES = {
    "400": OpenApiResponse(ValidationErrorSerializer, description="Invalid input; nothing stored."),
    "401": OpenApiResponse(ErrorSerializer, description="Not authenticated."),
    "403": OpenApiResponse(ErrorSerializer, description="The role may never do this."),
    "404": OpenApiResponse(ErrorSerializer, description="Unknown or outside the caller's scope."),
    "409": OpenApiResponse(ErrorSerializer, description="The current state forbids it."),
    "413": OpenApiResponse(ErrorSerializer, description="The request body is too large."),
}


class AutoSchema(openapi.AutoSchema):
    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        if direction != "response":
            return responses
        wanted = ["401", "403", "404"]
        if self.method == "GET" and self._has_query_parameters():
            # Filters, pages and formats are validated: a wrong one is a 400.
            wanted = ["400", *wanted]
        if self.method in ("POST", "PUT", "PATCH"):
            wanted = ["400", *wanted, "409", "413"]
        elif self.method == "DELETE":
            wanted = [*wanted, "409"]
        for code in wanted:
            if code not in responses:
                error = ERROR_RESPONSES[code]
                responses[code] = self._get_response_for_code(
                    error.response, code, direction=direction
                )
                responses[code]["description"] = error.description
        for code, response in responses.items():
            # Errors are JSON whatever format was asked for (core.api.errors._errors_in_json).
            content = response.get("content", {})
            if code >= "400" and content:
                schema = content.get("application/json") or next(iter(content.values()))
                response["content"] = {"application/json": schema}
        return responses

    def _has_query_parameters(self) -> bool:
        return any(parameter.get("in") == "query" for parameter in self._get_parameters() or [])

    def _get_request_for_media_type(self, serializer, direction="request"):
        # drf-spectacular documents a PATCH body as partial (every field optional), as DRF
        # reads a ModelSerializer's on partial_update. A serializer marked `whole_on_patch`
        # is read whole by its view (an order's lines replace the old ones): documented so.
        if self.method == "PATCH" and getattr(serializer, "whole_on_patch", False):
            self.method = "PUT"
            try:
                return super()._get_request_for_media_type(serializer, direction)
            finally:
                self.method = "PATCH"
        return super()._get_request_for_media_type(serializer, direction)

    def get_override_parameters(self):
        parameters = super().get_override_parameters()
        if self.method == "POST":
            parameters = [
                *parameters,
                OpenApiParameter(
                    "Idempotency-Key",
                    str,
                    OpenApiParameter.HEADER,
                    required=False,
                    description=(
                        "The same key from the same user within 24 h replays the first answer."
                    ),
                ),
            ]
        return parameters


class LocalTimeFieldExtension(OpenApiSerializerFieldExtension):
    """Times of day (opening hours, availability) are wall-clock times in Europe/Paris, sent as
    "HH:MM:SS" with no offset. OpenAPI's format "time" is RFC 3339's full-time, which requires
    one, so clients validating the schema would refuse every answer: a pattern says it exactly."""

    target_class = "rest_framework.fields.TimeField"
    match_subclasses = True

    def map_serializer_field(self, auto_schema, direction):
        return {
            "type": "string",
            "pattern": r"^([01]\d|2[0-3]):[0-5]\d(:[0-5]\d(\.\d{1,6})?)?$",
            "example": "09:30:00",
        }
