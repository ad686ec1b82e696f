"""When the database is away (restarting, failing over), answer 503 with Retry-After and
a message, never a stack trace or a hung request; the next request opens a new
connection and succeeds once the database is back."""

import logging
import sys

from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from django.views import defaults

logger = logging.getLogger("podio.errors")
DATABASE_ERRORS = (OperationalError, InterfaceError)
RETRY_AFTER_SECONDS = 5


def unavailable(request: HttpRequest) -> HttpResponse:
    message = _("Podio's database is not answering right now; try again in a few seconds.")
    if request.path.startswith("/api/"):
        response = JsonResponse({"detail": message}, status=503)
    else:
        # No request context: rendering the user would need the database.
        html = render_to_string("503.html", {"message": message})
        response = HttpResponse(html, status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


class DatabaseUnavailableMiddleware:
    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception):
        if isinstance(exception, DATABASE_ERRORS):
            logger.warning(
                "database unavailable: %s %s: %s", request.method, request.path, exception
            )
            return unavailable(request)
        return None


def server_error(request: HttpRequest) -> HttpResponse:
    """handler500: a database error outside the views (a middleware's session or user
    lookup) is a 503 too."""
    error = sys.exc_info()[1]
    if isinstance(error, DATABASE_ERRORS):
        logger.warning("database unavailable: %s %s: %s", request.method, request.path, error)
        return unavailable(request)
    return defaults.server_error(request)
