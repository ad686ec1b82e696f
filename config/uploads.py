"""The upload ceiling: no file over ``PODIO_MAX_UPLOAD_MB`` is kept, in memory or on disk.

``UploadCeilingHandler`` comes first in ``FILE_UPLOAD_HANDLERS``: it counts each file's
bytes as the chunks stream in and passes them on to Django's handlers (memory for a small
request, a temporary file for a large one). Once a file passes the ceiling it raises
``SkipFile``: Django closes (and so deletes) what the next handler had written, reads the
rest of that file from the connection without keeping it, and goes on with the other
fields. The file is then missing from ``request.FILES``, which a form would report as
"This field is required": the pages call ``refuse_too_large`` and the API parses with
``CeilingMultiPartParser`` (413) to say what happened instead.

Each competition's own, smaller limits are checked by the services, with the exact size.
"""

from django.conf import settings
from django.core.files.uploadhandler import FileUploadHandler, SkipFile
from django.forms import BaseForm
from django.http import HttpRequest
from django.utils.translation import gettext as _
from rest_framework import parsers, status
from rest_framework.exceptions import APIException

# Set on the request: the names of the file fields whose file was dropped.
TOO_LARGE_ATTR = "_podio_uploads_too_large"


def ceiling_bytes() -> int:
    return settings.PODIO_MAX_UPLOAD_MB * 1024 * 1024


def too_large_message() -> str:
    return _("The file is larger than %(limit)d MB, the largest upload Podio accepts.") % {
        "limit": settings.PODIO_MAX_UPLOAD_MB
    }


class UploadCeilingHandler(FileUploadHandler):
    """Counts the bytes of each uploaded file and drops the file past the ceiling.

    Keeps no data: each chunk is handed on unchanged to the next handler.
    """

    def __init__(self, request: HttpRequest | None = None) -> None:
        super().__init__(request)
        self.limit = ceiling_bytes()
        self.received = 0
        self.too_large: list[str] = []

    def new_file(self, field_name, file_name, content_type, content_length, *args, **kwargs):
        super().new_file(field_name, file_name, content_type, content_length, *args, **kwargs)
        self.received = 0
        # A part that declares its length (browsers do not) is refused before any byte.
        if content_length is not None and content_length > self.limit:
            self._drop()

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes:
        self.received += len(raw_data)
        if self.received > self.limit:
            self._drop()
        return raw_data

    def file_complete(self, file_size: int) -> None:
        return None  # the next handler makes the file

    def _drop(self) -> None:
        self.too_large.append(self.field_name)
        if self.request is not None:
            dropped = getattr(self.request, TOO_LARGE_ATTR, [])
            setattr(self.request, TOO_LARGE_ATTR, [*dropped, self.field_name])
        raise SkipFile()


def too_large_fields(request) -> list[str]:
    """The file fields of this request whose file passed the ceiling (a DRF request too)."""
    request = getattr(request, "_request", request)
    return list(getattr(request, TOO_LARGE_ATTR, []))


def refuse_too_large(request: HttpRequest, form: BaseForm) -> None:
    """Gives each of the form's file fields whose upload was dropped the ceiling's message,
    in place of "This field is required" (or of nothing, for an optional field), so that
    the form is not valid."""
    if request.method != "POST":
        return
    request.FILES  # noqa: B018 - parses the body if nothing did yet
    names = [name for name in too_large_fields(request) if name in form.fields]
    if names and not form.is_bound:
        # The dropped file was all the request held (``request.POST or None`` gave None).
        form.is_bound, form.data, form.files, form._errors = True, request.POST, request.FILES, None
    for name in dict.fromkeys(names):
        form.errors.pop(name, None)
        form.add_error(name, too_large_message())


class UploadTooLarge(APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_code = "upload_too_large"

    def __init__(self) -> None:
        super().__init__(too_large_message())


class CeilingMultiPartParser(parsers.MultiPartParser):
    """DRF's multipart parser, answering 413 ``{"detail": …}`` when a file was dropped."""

    def parse(self, stream, media_type=None, parser_context=None):
        result = super().parse(stream, media_type, parser_context)
        if too_large_fields((parser_context or {}).get("request")):
            raise UploadTooLarge()
        return result
