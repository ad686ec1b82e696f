"""The API's shared rules: one error format, status codes, throttles, downloads."""

import pytest
from django.core.cache import cache

from tests.factories import api_client, predictions, upload

pytestmark = pytest.mark.django_db


def test_field_errors_come_with_a_detail_sentence(competition, alice):
    response = api_client(alice).post("/api/v1/competitions/digitos/team/", {}, format="json")

    assert response.status_code == 400
    assert response.json() == {
        "name": ["This field is required."],
        "detail": "name: This field is required.",
    }


def test_unauthenticated_is_401_with_detail(competition):
    response = api_client(None).get("/api/v1/competitions/digitos/team/")

    assert response.status_code == 401 and "detail" in response.json()


def test_public_files_are_listed_and_downloadable(hosted, alice):
    client = api_client(alice)

    files = client.get("/api/v1/competitions/digitos/files/").json()

    assert [f["name"] for f in files] == ["sample_submission.csv"]
    download = client.get(files[0]["url"])
    assert download.status_code == 200
    assert b"".join(download.streaming_content).startswith(b"id,label\n1,")
    assert download["Content-Disposition"].startswith("attachment;")


def test_team_downloads_its_own_file_through_the_api(hosted, alpha, alice, bob, charlie, gamma):
    from competition import services

    sub = services.submission_create(competition=hosted, user=alice, upload=upload(predictions()))

    mine = api_client(bob).get(f"/api/v1/submissions/{sub.pk}/file/")
    assert b"".join(mine.streaming_content) == predictions()
    assert api_client(charlie).get(f"/api/v1/submissions/{sub.pk}/file/").status_code == 404


def test_submission_creation_is_throttled_per_user(hosted, alpha, alice, settings):
    cache.clear()
    hosted.daily_limit = 100
    hosted.save()
    client = api_client(alice)
    url = "/api/v1/competitions/digitos/submissions/"

    statuses = [
        client.post(url, {"file": upload(predictions())}, format="multipart").status_code
        for _ in range(31)
    ]

    assert statuses[:30] == [201] * 30
    assert statuses[30] == 429
    assert client.get(url).status_code == 200  # listing (what --wait polls) is not throttled
