"""The upload ceiling (config.uploads): a file over PODIO_MAX_UPLOAD_MB is dropped while it
streams in, never kept whole in memory or on disk, and the page or the API says why."""

import io
import tracemalloc
from pathlib import Path

import pytest
from django import forms
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.files.uploadhandler import FileUploadHandler, SkipFile
from django.http import HttpRequest
from django.http.multipartparser import MultiPartParser
from django.test.client import BOUNDARY, MULTIPART_CONTENT, encode_multipart
from django.urls import reverse

from competition.models import Submission
from config.uploads import TOO_LARGE_ATTR, UploadCeilingHandler, refuse_too_large
from grader.models import Report
from tests.factories import api_client, make_pdf, pdf_upload, upload, web_client

MB = 1024 * 1024
TOO_LARGE = "The file is larger than 1 MB, the largest upload Podio accepts."
SUBMISSIONS_API = "/api/v1/competitions/digitos/submissions/"
REPORT_API = "/api/v1/competitions/digitos/report/"
# About 2.2 MB of well-formed predictions: twice the ceiling the tests set.
BIG_CSV = b"id,label\n" + b"1,0\n" * 550_000


@pytest.fixture
def ceiling(settings, tmp_path) -> Path:
    """A 1 MB ceiling, and Django's temporary upload files in a folder the test sees."""
    settings.PODIO_MAX_UPLOAD_MB = 1
    settings.FILE_UPLOAD_TEMP_DIR = tmp_path / "upload-tmp"
    settings.FILE_UPLOAD_TEMP_DIR.mkdir()
    return settings.FILE_UPLOAD_TEMP_DIR


def files_under(folder) -> set[Path]:
    return {path for path in Path(folder).rglob("*") if path.is_file()}


@pytest.fixture
def media(settings):
    """The media files now (the hosted competition's sample submission): a refusal adds none."""
    return lambda: files_under(settings.MEDIA_ROOT)


# --- Through the pages and the API ------------------------------------------------------


def test_the_submission_api_answers_413_and_stores_nothing(ceiling, media, hosted, alpha, alice):
    before = media()
    response = api_client(alice).post(
        SUBMISSIONS_API, {"file": upload(BIG_CSV), "description": "big"}, format="multipart"
    )

    assert response.status_code == 413
    assert response.json() == {"detail": TOO_LARGE}
    assert not Submission.objects.exists()
    assert media() == before
    assert not files_under(ceiling)


def test_the_submit_page_shows_the_ceiling_as_the_files_error(ceiling, media, hosted, alpha, alice):
    before = media()
    response = web_client(alice).post(
        reverse("competition:submit", args=["digitos"]),
        {"file": upload(BIG_CSV), "description": "my best"},
    )

    assert response.status_code == 200
    form = response.context["form"]
    assert form.errors == {"file": [TOO_LARGE]}
    assert TOO_LARGE in response.text
    assert "This field is required" not in response.text
    # The fields after the file were still read: the student's description is kept.
    assert form.data["description"] == "my best"
    assert not Submission.objects.exists()
    assert media() == before


def test_a_large_upload_spooled_to_disk_leaves_no_temporary_file(
    ceiling, media, settings, hosted, alpha, alice
):
    before = media()
    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 64 * 1024  # this request goes to a temporary file

    response = api_client(alice).post(
        SUBMISSIONS_API, {"file": upload(BIG_CSV)}, format="multipart"
    )

    assert response.status_code == 413
    assert not files_under(ceiling), "the partial temporary file was deleted"
    assert not Submission.objects.exists()
    assert media() == before


def test_an_upload_under_the_ceiling_still_goes_through_memory_or_disk(
    ceiling, settings, hosted, alpha, alice
):
    settings.PODIO_MAX_UPLOAD_MB = 5
    client = api_client(alice)

    small = client.post(SUBMISSIONS_API, {"file": upload(b"id,label\n1,1\n")}, format="multipart")
    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 64 * 1024
    large = client.post(SUBMISSIONS_API, {"file": upload(BIG_CSV)}, format="multipart")

    assert (small.status_code, large.status_code) == (201, 201)
    stored = Submission.objects.order_by("id").last()
    assert stored.file.size == len(BIG_CSV)


def test_the_competitions_own_limit_still_gives_the_exact_size(ceiling, settings, hosted, alice):
    settings.PODIO_MAX_UPLOAD_MB = 5
    hosted.max_upload_mb = 1
    hosted.save()

    response = api_client(alice).post(
        SUBMISSIONS_API, {"file": upload(BIG_CSV)}, format="multipart"
    )

    assert response.status_code == 413
    assert response.json()["detail"] == "The file is 2.1 MB; the limit is 1 MB."


def big_pdf() -> bytes:
    return make_pdf(1) + b"%" + b"x" * (2 * MB)


def test_the_report_api_answers_413_and_stores_nothing(ceiling, media, competition, alpha, alice):
    before = media()
    response = api_client(alice).post(
        REPORT_API, {"file": pdf_upload(big_pdf())}, format="multipart"
    )

    assert response.status_code == 413
    assert response.json() == {"detail": TOO_LARGE}
    assert not Report.objects.exists()
    assert media() == before


def test_the_report_page_shows_the_ceiling_as_the_files_error(
    ceiling, media, competition, alpha, alice
):
    before = media()
    response = web_client(alice).post(
        reverse("grader:report", args=["digitos"]), {"file": pdf_upload(big_pdf())}
    )

    assert response.status_code == 200
    assert response.context["form"].errors == {"file": [TOO_LARGE]}
    assert not Report.objects.exists()
    assert media() == before


def test_anonymous_clients_are_refused_before_the_body_is_read(ceiling, hosted):
    """Anonymous clients are refused before the body is read (no token, no parsing)."""
    response = api_client(None).post(SUBMISSIONS_API, {"file": upload(BIG_CSV)}, format="multipart")

    assert response.status_code in (401, 403)


def test_an_optional_file_field_over_the_ceiling_is_an_error_not_silence(ceiling):
    class Form(forms.Form):
        attachment = forms.FileField(required=False)
        note = forms.CharField(required=False)

    request = HttpRequest()
    request.method = "POST"
    setattr(request, TOO_LARGE_ATTR, ["attachment"])
    form = Form({"note": "x"}, {})

    refuse_too_large(request, form)

    assert not form.is_valid()
    assert form.errors == {"attachment": [TOO_LARGE]}


def test_no_competition_may_allow_more_than_the_ceiling(settings):
    from competition.forms import CompetitionForm

    settings.PODIO_MAX_UPLOAD_MB = 100
    form = CompetitionForm({"max_upload_mb": "101", "model_max_mb": "100", "report_max_mb": "5"})

    assert not form.is_valid()
    assert form.errors["max_upload_mb"] == ["At most 100 MB, the largest upload Podio accepts."]
    assert "model_max_mb" not in form.errors
    assert "report_max_mb" not in form.errors


def test_report_upload_checks_the_size_before_reading_the_file(competition, alpha, alice):
    """grader.services.report_upload must refuse by size without reading the upload."""
    from competition.services import RuleViolation
    from grader import services

    class Unreadable(SimpleUploadedFile):
        def read(self, *args):
            raise AssertionError("read before the size check")

        def chunks(self, *args):
            raise AssertionError("read before the size check")

    huge = Unreadable("informe.pdf", b"%PDF-", "application/pdf")
    huge.size = (competition.report_max_mb + 1) * MB

    with pytest.raises(RuleViolation) as refused:
        services.report_upload(competition=competition, user=alice, upload=huge)

    assert refused.value.status == 413
    assert not Report.objects.exists()


# --- The handler itself --------------------------------------------------------------------


class Recorder(FileUploadHandler):
    """Stands for the handlers after the ceiling: counts what reaches it, keeps nothing."""

    def __init__(self, request=None) -> None:
        super().__init__(request)
        self.received = 0
        self.calls = 0

    def receive_data_chunk(self, raw_data, start):
        self.received += len(raw_data)
        self.calls += 1

    def file_complete(self, file_size):
        return SimpleUploadedFile(self.file_name, b"")


class Spy(UploadCeilingHandler):
    calls = 0

    def receive_data_chunk(self, raw_data, start):
        self.calls += 1
        return super().receive_data_chunk(raw_data, start)


def parse(body_fields: dict, handlers: list) -> tuple:
    body = encode_multipart(BOUNDARY, body_fields)
    meta = {"CONTENT_TYPE": MULTIPART_CONTENT, "CONTENT_LENGTH": str(len(body))}
    return MultiPartParser(meta, io.BytesIO(body), handlers, "utf-8").parse()


def test_the_handler_passes_chunks_on_and_drops_the_file_past_the_ceiling(settings):
    settings.PODIO_MAX_UPLOAD_MB = 1
    handler = UploadCeilingHandler(HttpRequest())
    handler.new_file("file", "preds.csv", "text/csv", None)
    chunk = b"x" * (256 * 1024)

    passed = [handler.receive_data_chunk(chunk, i * len(chunk)) for i in range(4)]

    assert all(item is chunk for item in passed), "handed on unchanged, not copied"
    assert handler.received == MB  # exactly the ceiling is allowed
    with pytest.raises(SkipFile):
        handler.receive_data_chunk(b"x", MB)
    assert handler.too_large == ["file"]
    assert getattr(handler.request, TOO_LARGE_ATTR) == ["file"]
    # It holds no data of its own: only counts and names.
    assert not [v for v in vars(handler).values() if isinstance(v, bytes | bytearray | io.IOBase)]

    handler.new_file("other", "small.csv", "text/csv", None)
    assert handler.receive_data_chunk(chunk, 0) is chunk, "each file is counted apart"


def test_a_declared_length_over_the_ceiling_is_refused_before_any_byte(settings):
    settings.PODIO_MAX_UPLOAD_MB = 1
    handler = UploadCeilingHandler()

    with pytest.raises(SkipFile):
        handler.new_file("file", "big.csv", "text/csv", MB + 1)


def test_the_parser_stops_receiving_the_file_at_the_ceiling(settings):
    settings.PODIO_MAX_UPLOAD_MB = 1
    request = HttpRequest()
    ceiling, after = Spy(request), Recorder(request)
    fields = {"file": SimpleUploadedFile("big.csv", b"x" * (8 * MB)), "description": "kept"}

    post, files = parse(fields, [ceiling, after])

    assert "file" not in files
    assert post["description"] == "kept"
    assert getattr(request, TOO_LARGE_ATTR) == ["file"]
    # 8 MB arrive in 64 KiB chunks: the handlers saw 1 MB and one chunk, not 128 chunks.
    chunk = ceiling.chunk_size
    assert ceiling.calls == MB // chunk + 1
    assert after.received <= MB
    assert after.calls == MB // chunk


def test_the_handler_keeps_nothing_in_memory(settings):
    """A 32 MB file under the ceiling streams through with memory of a few chunks."""
    settings.PODIO_MAX_UPLOAD_MB = 64
    body = encode_multipart(BOUNDARY, {"file": SimpleUploadedFile("big.csv", b"x" * (32 * MB))})
    meta = {"CONTENT_TYPE": MULTIPART_CONTENT, "CONTENT_LENGTH": str(len(body))}
    stream = io.BytesIO(body)
    handlers = [UploadCeilingHandler(), Recorder()]

    tracemalloc.start()
    try:
        _post, files = MultiPartParser(meta, stream, handlers, "utf-8").parse()
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()

    assert handlers[1].received == 32 * MB
    assert "file" in files
    assert peak < 2 * MB, f"peak {peak / MB:.1f} MB while parsing a 32 MB file"
