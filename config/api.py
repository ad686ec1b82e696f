"""One error format for the whole API: always a ``detail`` sentence, plus the field
errors (``{"detail": "Invalid input.", "name": ["This field is required."]}``)."""

from rest_framework.exceptions import ValidationError
from rest_framework.views import exception_handler as drf_exception_handler


def exception_handler(exc, context):
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, ValidationError) and isinstance(response.data, dict):
        fields = response.data
        name, first = next(iter(fields.items()), (None, None))
        detail = str(first[0]) if isinstance(first, list) and first else "Invalid input."
        if name not in (None, "non_field_errors", "detail"):
            detail = f"{name}: {detail}"
        response.data = {**fields, "detail": detail}
    elif isinstance(exc, ValidationError):
        response.data = {"detail": " ".join(map(str, response.data))}
    return response
