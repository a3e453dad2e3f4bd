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
