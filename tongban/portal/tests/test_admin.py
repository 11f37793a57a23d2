import pytest
from django.test.utils import override_settings

from tongban.accounts.tests.factories import LegalPersonFactory, PersonFactory, UserFactory
from tongban.core.models import AuditEntry
from tongban.org.tests.factories import DepartmentFactory, ServiceHallFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


@pytest.mark.parametrize(
    "path",
    [
        "org/region",
        "org/department",
        "org/servicehall",
        "org/agencypoint",
        "accounts/person",
        "accounts/legalperson",
        "accounts/mandate",
        "accounts/user",
        "accounts/post",
        "core/auditentry",
        "core/calendaryear",
        "core/calendarday",
    ],
)
def test_every_admin_list_opens_in_chinese(admin_client, path):
    DepartmentFactory()
    ServiceHallFactory()
    LegalPersonFactory()
    response = admin_client.get(f"/admin/{path}/")
    assert response.status_code == 200
    assert "通办" in response.content.decode()


def test_the_person_admin_masks_id_numbers(admin_client):
    person = PersonFactory()
    page = admin_client.get("/admin/accounts/person/").content.decode()
    assert person.masked_id_number in page and person.id_number not in page


def test_a_department_with_a_bad_credit_code_is_refused_in_the_admin(admin_client):
    region = DepartmentFactory().region
    response = admin_client.post(
        "/admin/org/department/add/",
        {
            "name": "示范市坏码局",
            "short_name": "坏码局",
            "uscc": "11341900MB0000001I",
            "region": region.code,
        },
    )
    assert response.status_code == 200
    assert "统一社会信用代码" in response.content.decode()


def test_admin_changes_are_audited(admin_client):
    department = DepartmentFactory()
    admin_client.post(
        f"/admin/org/department/{department.pk}/change/",
        {
            "name": "示范市改名局",
            "short_name": department.short_name,
            "uscc": department.uscc,
            "region": department.region_id,
        },
    )
    entry = AuditEntry.objects.get(action="department.change")
    assert entry.detail["fields"] == ["name"]


@override_settings(TONGBAN_BROKER_URL="redis://127.0.0.1:6379/15")
def test_healthz_reaches_a_real_broker(client):
    assert client.get("/healthz").json()["tasks"] == {"ok": True, "mode": "broker"}


@override_settings(TONGBAN_BROKER_URL="redis://127.0.0.1:1/0")
def test_healthz_reports_an_unreachable_broker(client):
    response = client.get("/healthz")
    assert response.status_code == 503 and response.json()["status"] == "degraded"
