"""Shared OpenAPI pieces: the one error format, documented once and referenced by every view."""

from drf_spectacular.utils import OpenApiResponse, inline_serializer
from rest_framework import serializers

ErrorSerializer = inline_serializer(
    name="Error",
    fields={
        "error": inline_serializer(
            name="ErrorBody",
            fields={
                "code": serializers.CharField(),
                "message": serializers.CharField(),
                "fields": serializers.DictField(child=serializers.ListField(child=serializers.CharField()),
                                                required=False),
            },
        )
    },
)

BAD_REQUEST = OpenApiResponse(ErrorSerializer, description="Invalid input; `fields` names each field.")
UNAUTHORISED = OpenApiResponse(ErrorSerializer, description="Not signed in or the token is wrong.")
FORBIDDEN = OpenApiResponse(ErrorSerializer, description="Signed in, but this role may not do this.")
NOT_FOUND = OpenApiResponse(ErrorSerializer, description="No such object in the caller's area.")
CONFLICT = OpenApiResponse(ErrorSerializer, description="The object changed meanwhile; nothing was written.")
THROTTLED = OpenApiResponse(ErrorSerializer, description="Too many requests; retry later.")

ERROR_RESPONSES = {401: UNAUTHORISED, 403: FORBIDDEN, 429: THROTTLED}
READ_ERRORS = {**ERROR_RESPONSES, 404: NOT_FOUND}
WRITE_ERRORS = {**READ_ERRORS, 400: BAD_REQUEST}


ERROR_COMPONENT = {
    "type": "object",
    "properties": {
        "error": {
            "type": "object",
            "properties": {
                "code": {"type": "string"},
                "message": {"type": "string"},
                "fields": {"type": "object", "additionalProperties": {}},
            },
            "required": ["code", "message"],
        }
    },
    "required": ["error"],
}
ERROR_DESCRIPTIONS = {
    "400": "Invalid input; `fields` names each field.",
    "401": "Not signed in or the token is wrong.",
    "403": "Signed in, but this role may not do this.",
    "404": "No such object in the caller's area.",
    "429": "Too many requests; retry later.",
}


def document_error_responses(result, generator, request, public):
    """drf-spectacular post-processing hook: every operation documents the errors any view can return.

    The one exception handler (portal.api.errors) can answer any operation with 401, 403, 404 or 429,
    and with 400 where the operation takes parameters or a body. Documenting them here, once, keeps
    the schema true for every view, including ones added later.
    """
    # Django's form fields refuse NUL characters in any text (400 naming the parameter): say so.
    for path_item in result.get("paths", {}).values():
        for method, operation in path_item.items():
            if method not in {"get", "post", "put", "patch", "delete"}:
                continue
            for parameter in operation.get("parameters", []):
                schema = parameter.get("schema", {})
                if parameter.get("in") == "query" and schema.get("type") == "string" and "pattern" not in schema \
                        and "enum" not in schema and "format" not in schema:
                    schema["pattern"] = "^[^\\x00]*$"
    components = result.setdefault("components", {}).setdefault("schemas", {})
    components.setdefault("PortalError", ERROR_COMPONENT)
    ref = {"$ref": "#/components/schemas/PortalError"}
    for path_item in result.get("paths", {}).values():
        for method, operation in path_item.items():
            if method not in {"get", "post", "put", "patch", "delete"}:
                continue
            responses = operation.setdefault("responses", {})
            takes_input = bool(operation.get("parameters")) or "requestBody" in operation or "{" in str(path_item)
            for status, description in ERROR_DESCRIPTIONS.items():
                if status == "400" and not takes_input:
                    continue
                responses.setdefault(status, {"content": {"application/json": {"schema": ref}},
                                              "description": description})
    return result
