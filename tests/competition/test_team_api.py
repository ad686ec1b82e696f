import pytest

from competition.models import Team
from tests.factories import api_client, make_user

pytestmark = pytest.mark.django_db
URL = "/api/v1/competitions/digitos/team/"


def test_create_team_through_the_api(competition, alice):
    response = api_client(alice).post(URL, {"name": "Pandas"}, format="json")

    assert response.status_code == 201
    body = response.json()
    assert body["name"] == "Pandas"
    assert [m["username"] for m in body["members"]] == ["alice"]
    assert Team.objects.get(name="Pandas").invite_code == body["invite_code"]


def test_create_without_a_name_is_a_field_error(competition, alice):
    response = api_client(alice).post(URL, {}, format="json")

    assert response.status_code == 400
    assert "name" in response.json()


def test_second_team_is_a_conflict_with_the_reason(alpha, alice):
    response = api_client(alice).post(URL, {"name": "Otro"}, format="json")

    assert response.status_code == 409
    assert "Alpha" in response.json()["detail"]


def test_join_and_leave_through_the_api(alpha):
    dora = make_user("dora")
    client = api_client(dora)

    joined = client.post(URL + "join/", {"invite_code": alpha.invite_code}, format="json")
    assert joined.status_code == 200
    assert joined.json()["name"] == "Alpha"

    assert client.post(URL + "leave/").status_code == 204
    assert client.get(URL).status_code == 404


def test_join_with_a_bad_code_is_bad_input(competition, alice):
    response = api_client(alice).post(URL + "join/", {"invite_code": "x"}, format="json")

    assert response.status_code == 400
    assert "invite code" in response.json()["detail"]


def test_unknown_competition_is_not_found(alice):
    assert api_client(alice).get("/api/v1/competitions/nada/team/").status_code == 404
