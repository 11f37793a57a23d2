import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tongban.accounts.tests.factories import PersonFactory, UserFactory, staff_in
from tongban.core.models import AuditEntry
from tongban.org.tests.factories import region_tree

pytestmark = pytest.mark.django_db


@pytest.fixture
def east_clerk_client(client):
    clerk = staff_in("341902000000", "window")
    client.force_login(clerk.user)
    return client


def test_me_masks_personal_data(client):
    user = UserFactory()
    client.force_login(user)
    body = client.get("/api/v1/accounts/me").json()
    assert body["id_number"] == user.person.id_number[:6] + "********" + user.person.id_number[-4:]
    assert body["phone"] == user.person.phone[:3] + "****" + user.person.phone[-4:]


def test_anonymous_calls_get_a_problem_document(client):
    response = client.get("/api/v1/accounts/me")
    assert response.status_code == 401
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["code"] == "unauthenticated"


def test_person_list_is_scoped_and_masked(east_clerk_client):
    east = PersonFactory()
    PersonFactory(region=region_tree()["341903001001"])
    body = east_clerk_client.get("/api/v1/accounts/persons").json()
    assert body["count"] == 1
    assert body["items"][0]["id"] == east.pk
    assert "*" in body["items"][0]["id_number"]


def test_person_outside_scope_is_404_problem(east_clerk_client):
    west = PersonFactory(region=region_tree()["341903001001"])
    response = east_clerk_client.get(f"/api/v1/accounts/persons/{west.pk}")
    assert response.status_code == 404
    assert response.json()["code"] == "person_not_found"
    assert "数据范围" in response.json()["detail"]


def test_reveal_through_the_api_is_audited(east_clerk_client):
    person = PersonFactory()
    response = east_clerk_client.post(
        f"/api/v1/accounts/persons/{person.pk}/reveal",
        {"field": "phone", "basis": "purpose", "reference": "court_inquiry", "note": "（2026）示01协查12号"},
        content_type="application/json",
    )
    assert response.status_code == 200
    assert response.json()["value"] == person.phone
    assert AuditEntry.objects.filter(action="person.reveal", object_id=str(person.pk)).count() == 1


def test_citizens_cannot_query_persons(client):
    client.force_login(UserFactory())
    response = client.get("/api/v1/accounts/persons")
    assert response.status_code == 403
    assert response.json()["code"] == "staff_only"


def test_person_list_makes_a_constant_number_of_queries(east_clerk_client):
    def queries_for_page() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert east_clerk_client.get("/api/v1/accounts/persons").status_code == 200
        return len(captured)

    PersonFactory.create_batch(2)
    queries_for_page()  # the first request after force_login writes the session's idle mark
    few = queries_for_page()
    PersonFactory.create_batch(25)
    assert queries_for_page() == few <= 10
