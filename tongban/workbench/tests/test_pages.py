import pytest

from tongban.accounts.tests.factories import PersonFactory, UserFactory, staff_in
from tongban.core.models import AuditEntry
from tongban.org.tests.factories import region_tree

pytestmark = pytest.mark.django_db


@pytest.fixture
def clerk(client):
    staff = staff_in("341902000000", "window", "accept")
    client.force_login(staff.user)
    return staff


def test_citizens_are_sent_to_log_in(client):
    client.force_login(UserFactory())
    response = client.get("/workbench/")
    assert response.status_code == 302 and response["Location"].startswith("/login/")


def test_home_shows_posts_and_scope(client, clerk):
    page = client.get("/workbench/").content.decode()
    assert "综合窗口" in page and "受理" in page and "城东区" in page and "341902000000" in page


def test_person_list_is_masked_and_scoped(client, clerk):
    east = PersonFactory()
    west = PersonFactory(region=region_tree()["341903001001"])
    page = client.get("/workbench/persons/").content.decode()
    assert east.masked_id_number in page and east.id_number not in page
    assert west.real_name not in page


def test_live_search_returns_only_the_rows(client, clerk):
    person = PersonFactory()
    response = client.get("/workbench/persons/", {"q": person.id_number}, HTTP_HX_REQUEST="true")
    page = response.content.decode()
    assert person.real_name in page and "<html" not in page


def test_a_person_outside_scope_is_a_404_page(client, clerk):
    west = PersonFactory(region=region_tree()["341903001001"])
    response = client.get(f"/workbench/persons/{west.pk}/")
    assert response.status_code == 404
    assert "不在您的数据范围内" in response.content.decode()


def test_reveal_needs_grounds_and_is_audited(client, clerk):
    person = PersonFactory()
    url = f"/workbench/persons/{person.pk}/reveal/"
    page = client.get(f"/workbench/persons/{person.pk}/").content.decode()
    assert 'value="case"' in page and 'value="purpose:court_inquiry"' in page
    refused = client.post(
        url, {"field": "id_number", "grounds": "purpose:court_inquiry", "note": ""}, HTTP_HX_REQUEST="true"
    )
    assert refused.status_code == 422 and "须在备注中写明具体事由" in refused.content.decode()
    assert person.id_number not in refused.content.decode()
    no_case = client.post(url, {"field": "id_number", "grounds": "case", "reference": "1234"}, HTTP_HX_REQUEST="true")
    assert no_case.status_code == 422 and "没有涉及此人的办件编号“1234”" in no_case.content.decode()
    shown = client.post(
        url,
        {"field": "id_number", "grounds": "purpose:court_inquiry", "note": "协查通知书12号"},
        HTTP_HX_REQUEST="true",
    )
    assert person.id_number in shown.content.decode()
    assert AuditEntry.objects.filter(action="person.reveal", actor_id=clerk.user.pk).count() == 1


def test_department_list_is_scoped(client, clerk):
    page = client.get("/workbench/departments/").content.decode()
    assert clerk.department.name in page


def test_home_warns_from_november_while_next_years_holidays_are_provisional(client, clerk, today_is):
    import datetime as dt

    today_is(dt.date(2026, 11, 2))
    page = client.get("/workbench/").content.decode()
    assert "2027年的节假日安排尚未录入" in page and "暂按法定节假日推算" in page
    today_is(dt.date(2026, 7, 1))
    assert "节假日安排尚未录入" not in client.get("/workbench/").content.decode()


def test_a_nul_character_in_a_query_or_a_form_is_a_clear_400_and_changes_nothing(client, clerk):
    search = client.get("/workbench/cases/", {"q": "3419\x00"})
    assert search.status_code == 400 and "空字符" in search.content.decode()
    person = PersonFactory()
    reveal = client.post(
        f"/workbench/persons/{person.pk}/reveal/",
        {"field": "id_number", "grounds": "purpose:court_inquiry", "note": "协查\x00通知"},
    )
    assert reveal.status_code == 400 and person.id_number not in reveal.content.decode()
    assert not AuditEntry.objects.filter(action="person.reveal").exists()
