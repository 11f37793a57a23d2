import pytest

from tongban.accounts.tests.factories import PersonFactory, UserFactory
from tongban.licences.models import Licence
from tongban.licences.tests.factories import issued_licence, issuer_officer, licence_type, person_data

pytestmark = pytest.mark.django_db
BASE = "/api/v1/licences"


def test_verify_without_auth_reports_status_and_signature(client):
    licence = issued_licence()
    response = client.get(f"{BASE}/verify/{licence.identifier}")
    body = response.json()
    assert response.status_code == 200 and response["Cache-Control"] == "no-store"
    assert (body["status"], body["signature_valid"], body["trusted"]) == ("01", True, True)
    assert body["holder_id"] != licence.holder_id_number and "*" in body["holder_id"]
    Licence.objects.filter(pk=licence.pk).update(status="03")
    body = client.get(f"{BASE}/verify/{licence.identifier}").json()
    assert (body["status"], body["status_name"], body["trusted"]) == ("03", "撤销", False)


def test_verify_refuses_bad_identifiers_as_problems(client):
    response = client.get(f"{BASE}/verify/1.2.156.3005.2.X")
    assert response.status_code == 422
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["code"].startswith("licence_")


def test_staff_issue_act_and_list(client, django_assert_max_num_queries):
    kind = licence_type()
    officer = issuer_officer(kind.defining_department)
    client.force_login(officer)
    holder = PersonFactory()
    payload = {
        "type_code": kind.short_code,
        "issuer_department_id": kind.defining_department_id,
        "holder_person_id": holder.pk,
        "data": person_data(),
    }
    created = client.post(BASE, payload, content_type="application/json")
    assert created.status_code == 201, created.content
    licence_id = created.json()["id"]
    acted = client.post(
        f"{BASE}/{licence_id}/acts", {"act": "suspend", "reason": "暂扣整改"}, content_type="application/json"
    )
    assert acted.json()["status"] == "02"
    refused = client.post(
        f"{BASE}/{licence_id}/acts", {"act": "transfer_out", "reason": "转出"}, content_type="application/json"
    )
    assert refused.status_code == 409 and refused.json()["code"] == "licence_transition_forbidden"
    for _ in range(4):
        issued_licence(licence_type_obj=kind, officer=officer)
    with django_assert_max_num_queries(10):
        listed = client.get(BASE).json()
    assert listed["count"] == 5


def test_bad_data_is_a_problem_with_every_issue(client):
    kind = licence_type()
    client.force_login(issuer_officer(kind.defining_department))
    response = client.post(
        BASE,
        {
            "type_code": kind.code,
            "issuer_department_id": kind.defining_department_id,
            "holder_person_id": PersonFactory().pk,
            "data": {},
        },
        content_type="application/json",
    )
    assert response.status_code == 422 and len(response.json()["problems"]) == 2


def test_holder_lists_own_licences_and_citizens_cannot_issue(client):
    user = UserFactory()
    mine = issued_licence(holder=user.person)
    issued_licence()
    client.force_login(user)
    listed = client.get(BASE).json()
    assert [item["identifier"] for item in listed["items"]] == [mine.identifier]
    assert client.get(f"{BASE}/{mine.pk}").status_code == 200
    kind = licence_type()
    refused = client.post(
        BASE,
        {
            "type_code": kind.code,
            "issuer_department_id": kind.defining_department_id,
            "holder_person_id": user.person_id,
            "data": person_data(),
        },
        content_type="application/json",
    )
    assert refused.status_code == 403


def test_change_and_renew_endpoints(client):
    licence = issued_licence()
    client.force_login(issuer_officer(licence.issuer))
    renewed = client.post(f"{BASE}/{licence.pk}/renew", {"reason": "延续申请"}, content_type="application/json")
    assert renewed.status_code == 201 and renewed.json()["version"] == 2
    other = issued_licence()
    client.force_login(issuer_officer(other.issuer))
    changed = client.post(
        f"{BASE}/{other.pk}/change", {"data": {"note": "更正"}, "reason": "信息更正"}, content_type="application/json"
    )
    assert changed.status_code == 201 and changed.json()["previous"] == other.identifier
