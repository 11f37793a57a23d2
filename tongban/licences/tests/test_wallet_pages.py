"""Wallet pages and API: the holder's 授权使用 and 使用记录 sections, the workbench's licences shared
with a department, and /api/v1/licences/… for both sides."""

import pytest
from django.urls import reverse

from tongban.accounts.tests.factories import StaffFactory, UserFactory
from tongban.cases.tests.factories import case_item, officer, submitted_case
from tongban.exchange.models import CallLog
from tongban.licences import wallet
from tongban.licences.models import LicenceAuthorisation
from tongban.licences.tests.test_wallet import authorise, holder_with_licence, in_days, library_resource
from tongban.org.tests.factories import DepartmentFactory

pytestmark = pytest.mark.django_db
BASE = "/api/v1/licences"


def detail_url(licence) -> str:
    return reverse("mylicences:detail", args=[licence.pk])


# ---------------------------------------------------------------- the holder's page


def test_the_holders_page_shows_both_sections_empty_at_first(client):
    user, licence = holder_with_licence()
    client.force_login(user)
    body = client.get(detail_url(licence)).content.decode()
    assert "授权使用" in body and "您还没有授权任何部门或办件使用本证照。" in body
    assert "使用记录" in body and "还没有部门使用过本证照。" in body
    assert 'name="csrfmiddlewaretoken"' in body and reverse("mylicences:authorise", args=[licence.pk]) in body


def test_the_holder_authorises_through_the_form_and_revokes_with_the_button(client):
    user, licence = holder_with_licence()
    department = DepartmentFactory(name="示范市市场监督管理局")
    client.force_login(user)
    form = {"department_id": department.pk, "case_number": "", "purpose": "办理食品经营许可"}

    created = client.post(
        reverse("mylicences:authorise", args=[licence.pk]), {**form, "valid_until": in_days(30).isoformat()}
    )

    assert created.status_code == 302
    authorisation = LicenceAuthorisation.objects.get()
    body = client.get(detail_url(licence)).content.decode()
    assert "示范市市场监督管理局" in body and "办理食品经营许可" in body and "有效" in body
    revoke_url = reverse("mylicences:revoke", args=[authorisation.pk])
    assert revoke_url in body
    assert client.get(revoke_url).status_code == 405  # a change is never a GET

    assert client.post(revoke_url).status_code == 302
    assert "已撤回" in client.get(detail_url(licence)).content.decode()
    assert LicenceAuthorisation.objects.get().revoked_at is not None


def test_a_refused_authorisation_shows_the_reason_on_the_form(client):
    user, licence = holder_with_licence()
    client.force_login(user)
    refused = client.post(
        reverse("mylicences:authorise", args=[licence.pk]),
        {"department_id": "", "case_number": "", "purpose": "核验", "valid_until": in_days(400).isoformat()},
    )
    assert refused.status_code == 422
    body = refused.content.decode()
    assert "二者选一" in body
    assert not LicenceAuthorisation.objects.exists()
    too_long = client.post(
        reverse("mylicences:authorise", args=[licence.pk]),
        {"department_id": DepartmentFactory().pk, "purpose": "核验", "valid_until": in_days(400).isoformat()},
    )
    assert too_long.status_code == 422 and "授权最长一年" in too_long.content.decode()


def test_another_citizen_can_neither_authorise_nor_revoke_nor_read_the_uses(client):
    user, licence = holder_with_licence()
    authorisation = authorise(user, licence)
    client.force_login(UserFactory())
    form = {"department_id": DepartmentFactory().pk, "purpose": "核验", "valid_until": in_days(3).isoformat()}
    assert client.post(reverse("mylicences:authorise", args=[licence.pk]), form).status_code == 404
    assert client.post(reverse("mylicences:revoke", args=[authorisation.pk])).status_code == 404
    assert client.get(detail_url(licence)).status_code == 404
    assert LicenceAuthorisation.objects.get().revoked_at is None


def test_each_use_shows_on_the_holders_page_newest_first(client, django_assert_max_num_queries):
    library_resource()
    user, licence = holder_with_licence()
    department = DepartmentFactory(name="示范市卫生健康委员会")
    clerk = StaffFactory(department=department).user
    authorisation = authorise(user, licence, department_id=department.pk)
    for _ in range(3):
        authorise(user, licence)
    wallet.licence_shared_read(actor=clerk, authorisation_id=authorisation.pk)
    wallet.licence_shared_read(actor=clerk, authorisation_id=authorisation.pk, as_pdf=True)

    client.force_login(user)
    with django_assert_max_num_queries(13):
        body = client.get(detail_url(licence)).content.decode()

    assert body.count("持证人授权：办理食品经营许可") == 2 and "示范市卫生健康委员会" in body
    assert licence.holder_id_number not in body.split('id="uses"')[1]  # the log shows masked data only


def test_the_use_log_pages_thirty_at_a_time(client):
    library_resource()
    user, licence = holder_with_licence()
    department = DepartmentFactory()
    for _ in range(31):
        wallet.licence_use_record(
            licence=licence, department_id=department.pk, region_code=department.region_id, purpose="办件免提交：测试"
        )
    client.force_login(user)
    first = client.get(detail_url(licence)).content.decode()
    assert first.count("办件免提交：测试") == 30 and "?uses_page=2#uses" in first
    second = client.get(detail_url(licence) + "?uses_page=2").content.decode()
    assert second.count("办件免提交：测试") == 1 and "?uses_page=1#uses" in second


# ---------------------------------------------------------------- the workbench


def test_staff_see_licences_shared_with_their_department_and_open_them(client, django_assert_max_num_queries):
    library_resource()
    department = DepartmentFactory()
    clerk = StaffFactory(department=department).user
    shared = []
    for _ in range(4):
        user, licence = holder_with_licence()
        shared.append(authorise(user, licence, department_id=department.pk))
    other_user, other_licence = holder_with_licence()
    authorise(other_user, other_licence)  # to another department: not listed
    client.force_login(clerk)

    assert reverse("licwork:shared") in client.get(reverse("licwork:list")).content.decode()
    with django_assert_max_num_queries(11):
        listing = client.get(reverse("licwork:shared")).content.decode()
    for authorisation in shared:
        assert reverse("licwork:shared_detail", args=[authorisation.pk]) in listing
        assert reverse("licwork:shared_pdf", args=[authorisation.pk]) in listing
    assert listing.count("办理食品经营许可") == 4

    first = shared[0]
    page = client.get(reverse("licwork:shared_detail", args=[first.pk]))
    assert page.status_code == 200 and first.licence.identifier in page.content.decode()
    assert first.licence.holder_id_number not in page.content.decode()
    pdf = client.get(reverse("licwork:shared_pdf", args=[first.pk]))
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    assert CallLog.objects.filter(department_id=department.pk, staff_user_id=clerk.pk).count() == 2


def test_an_unauthorised_or_revoked_authorisation_is_refused_on_the_workbench(client):
    library_resource()
    user, licence = holder_with_licence()
    department = DepartmentFactory()
    authorisation = authorise(user, licence, department_id=department.pk)

    client.force_login(StaffFactory().user)
    assert client.get(reverse("licwork:shared_detail", args=[authorisation.pk])).status_code == 404
    assert "目前没有持证人授权" in client.get(reverse("licwork:shared")).content.decode()

    client.force_login(StaffFactory(department=department).user)
    wallet.licence_authorisation_revoke(actor=user, authorisation_id=authorisation.pk)
    refused = client.get(reverse("licwork:shared_pdf", args=[authorisation.pk]))
    assert refused.status_code == 403 and "撤回" in refused.content.decode()
    assert not CallLog.objects.exists()


def test_a_non_valid_licence_is_shown_with_its_status(client):
    from tongban.licences import services
    from tongban.licences.tests.factories import issuer_officer

    library_resource()
    user, licence = holder_with_licence()
    department = DepartmentFactory()
    authorisation = authorise(user, licence, department_id=department.pk)
    services.licence_suspend(actor=issuer_officer(licence.issuer), licence_id=licence.pk, reason="暂扣整改")
    client.force_login(StaffFactory(department=department).user)
    body = client.get(reverse("licwork:shared_detail", args=[authorisation.pk])).content.decode()
    assert "该证照当前状态为“暂扣”" in body


# ---------------------------------------------------------------- the API


def test_the_holder_grants_lists_and_revokes_through_the_api(client):
    user, licence = holder_with_licence()
    case = submitted_case(case_item())
    client.force_login(user)
    url = f"{BASE}/{licence.pk}/authorisations"
    payload = {"case_number": case.number, "purpose": "办理不动产登记", "valid_until": in_days(10).isoformat()}

    created = client.post(url, payload, content_type="application/json")

    assert created.status_code == 201, created.content
    body = created.json()
    assert (body["case_number"], body["department_id"], body["state"], body["state_name"]) == (
        case.number,
        None,
        "live",
        "有效",
    )
    duplicate = client.post(url, payload, content_type="application/json")
    assert duplicate.status_code == 409 and duplicate["Content-Type"] == "application/problem+json"
    assert duplicate.json()["code"] == "authorisation_exists"
    assert [item["id"] for item in client.get(url).json()] == [body["id"]]

    revoked = client.post(f"{BASE}/authorisations/{body['id']}/revoke")
    assert revoked.status_code == 200 and revoked.json()["state"] == "revoked"
    again = client.post(f"{BASE}/authorisations/{body['id']}/revoke")
    assert again.status_code == 409 and again.json()["code"] == "authorisation_revoked"


def test_the_api_refuses_bad_targets_and_strangers_as_problems(client):
    user, licence = holder_with_licence()
    authorisation = authorise(user, licence)
    client.force_login(user)
    url = f"{BASE}/{licence.pk}/authorisations"
    neither = client.post(
        url, {"purpose": "核验", "valid_until": in_days(1).isoformat()}, content_type="application/json"
    )
    assert neither.status_code == 422 and neither.json()["code"] == "authorisation_target"

    client.force_login(UserFactory())
    for response in (
        client.get(url),
        client.get(f"{BASE}/{licence.pk}/uses"),
        client.post(f"{BASE}/authorisations/{authorisation.pk}/revoke"),
    ):
        assert response.status_code == 404 and response["Content-Type"] == "application/problem+json"
    assert client.get(f"{BASE}/shared").json()["code"] == "staff_required"
    client.logout()
    assert client.get(url).status_code == 401


def test_uses_and_the_shared_list_through_the_api(client, django_assert_max_num_queries):
    library_resource()
    user, licence = holder_with_licence()
    case = submitted_case(case_item())
    handler = officer(case.department, "accept")
    authorisation = authorise(user, licence, case_number=case.number)
    wallet.licence_shared_read(actor=handler, authorisation_id=authorisation.pk)

    client.force_login(handler)
    with django_assert_max_num_queries(12):
        shared = client.get(f"{BASE}/shared").json()
    assert shared["count"] == 1
    [item] = shared["items"]
    assert item["authorisation"]["id"] == authorisation.pk and item["identifier"] == licence.identifier
    assert item["holder_id"] != licence.holder_id_number and "*" in item["holder_id"]
    assert item["pdf_url"] == reverse("licwork:shared_pdf", args=[authorisation.pk])

    client.force_login(user)
    uses = client.get(f"{BASE}/{licence.pk}/uses").json()
    assert uses["has_next"] is False
    [use] = uses["items"]
    assert (use["department"], use["purpose"], use["case_number"], use["outcome"]) == (
        case.department.name,
        "持证人授权：办理食品经营许可",
        case.number,
        "ok",
    )
