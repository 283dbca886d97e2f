"""The OpenAPI schema says what the API answers, errors included: every operation documents the
403 it gives a user without the right (or anonymous), the 404 of an id it cannot see, the 400 of
input it refuses and, where throttled, the 429 — each with the error body the API sends. Times of
day are documented as what DRF writes ("14:00:00"), not RFC 3339's zoned `time`."""

from __future__ import annotations

from drf_spectacular.openapi import AutoSchema
from drf_spectacular.plumbing import ResolvedComponent
from rest_framework import serializers

ERROR_COMPONENT = "Error"
# DRF's error bodies: {"detail": "..."} for a refusal; {"field": ["..."], ...} for invalid input
# (`non_field_errors` for the whole object); a list of messages where a view refuses without a field.
ERROR_SCHEMA = {
    "oneOf": [
        {
            "type": "object",
            "properties": {"detail": {"type": "string"}},
            "additionalProperties": {"oneOf": [{"type": "array", "items": {}}, {"type": "object"}, {"type": "string"}]},
        },
        {"type": "array", "items": {"type": "string"}},
    ],
}
TIME_OF_DAY = {
    "type": "string",
    "format": "partial-time",
    "pattern": r"^([01]\d|2[0-3]):[0-5]\d(:[0-5]\d(\.\d{1,6})?)?$",
    "example": "14:00:00",
}
ERRORS = {
    "400": "Ugyldig forespørgsel: feltet og grunden står i svaret.",
    "403": "Ikke logget ind, eller brugerens rolle må ikke dette.",
    "404": "Findes ikke i brugerens kommune (eller siden findes ikke).",
    "429": "For mange opslag; prøv igen om lidt.",
}


class FhbAutoSchema(AutoSchema):
    def _map_serializer_field(self, field, direction, bypass_extensions=False):
        if isinstance(field, serializers.TimeField):
            schema = dict(TIME_OF_DAY)
            if field.read_only:
                schema["readOnly"] = True
            if getattr(field, "allow_null", False):
                schema["nullable"] = True
            if field.label:
                schema["title"] = str(field.label)
            return schema
        return super()._map_serializer_field(field, direction, bypass_extensions)

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        codes = ["400", "403"]
        if "{" in self.path or (self._is_list_view() and self._get_paginator()):
            codes.append("404")  # an id the user cannot see; a page past the last
        if getattr(self.view, "throttle_classes", None):
            codes.append("429")
        component = ResolvedComponent(
            name=ERROR_COMPONENT, type=ResolvedComponent.SCHEMA, object=ERROR_COMPONENT, schema=ERROR_SCHEMA
        )
        self.registry.register_on_missing(component)
        for code in codes:
            responses.setdefault(
                code,
                {"description": ERRORS[code], "content": {"application/json": {"schema": component.ref}}},
            )
        return responses
