"""One exception handler for the API: domain errors become a 400 with the user's message."""

from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from fhb.errors import DomainError


def exception_handler(exc, context):
    if isinstance(exc, DomainError):
        key = exc.field or "detail"
        return Response(
            {key: [exc.message]} if exc.field else {"detail": exc.message}, status=status.HTTP_400_BAD_REQUEST
        )
    return drf_exception_handler(exc, context)
