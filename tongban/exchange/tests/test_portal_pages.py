"""/me/data/: who looked at my data — my own records, and those of the enterprises I act for."""

import pytest
from django.urls import reverse

from tongban.accounts.models import Mandate
from tongban.accounts.tests.factories import PASSWORD, LegalPersonFactory, UserFactory
from tongban.exchange.models import CallLog
from tongban.exchange.query import Caller, exchange_lookup
from tongban.exchange.tests.factories import grant, resource_with_fields
from tongban.exchange.tests.provider_server import fresh_cache  # noqa: F401 - fixture
from tongban.org.tests.factories import DepartmentFactory

pytestmark = pytest.mark.django_db

URL = reverse("mydata:index")


def look_up(department, resource, key, purpose="核验身份", case_number=""):
    caller = Caller(department_id=department.pk, system_id=None, staff_user_id=None, region_code=department.region_id)
    exchange_lookup(
        caller=caller,
        resource_code=resource.code,
        keys=[key],
        fields=["status"],
        purpose=purpose,
        case_number=case_number,
    )


@pytest.fixture
def setting():
    department = DepartmentFactory(name="示范市不动产登记中心")
    resource = resource_with_fields(name="婚姻登记信息")
    grant(resource, department, fields=["status"])
    company_resource = resource_with_fields(name="企业登记信息", key_kind="uscc")
    grant(company_resource, department, fields=["status"])
    return department, resource, company_resource


def login(client, user):
    assert client.login(username=user.username, password=PASSWORD)
    return user


def test_a_citizen_sees_every_lookup_of_their_records_newest_first(client, setting):
    department, resource, _ = setting
    me, neighbour = login(client, UserFactory()), UserFactory()
    look_up(department, resource, me.person.id_number, purpose="办理不动产登记", case_number="C-0001")
    look_up(department, resource, me.person.id_number.lower(), purpose="第二次查询")
    look_up(department, resource, neighbour.person.id_number, purpose="邻居的事")
    page = client.get(URL).content.decode()
    assert page.count("示范市不动产登记中心") == 2 and "婚姻登记信息" in page and "C-0001" in page
    assert page.index("第二次查询") < page.index("办理不动产登记")
    assert "邻居的事" not in page and me.person.id_number not in page


def test_with_no_lookups_the_page_says_so(client):
    login(client, UserFactory())
    assert "还没有部门查询过您的信息" in client.get(URL).content.decode()


def test_lookups_of_an_enterprise_i_act_for_have_their_own_tab(client, setting):
    department, _, company_resource = setting
    me = login(client, UserFactory())
    mine, not_mine = LegalPersonFactory(name="老街面馆有限公司"), LegalPersonFactory(name="别人家公司")
    Mandate.objects.create(person=me.person, legal_person=mine, role=Mandate.AGENT, status=Mandate.ACTIVE)
    look_up(department, company_resource, mine.uscc, purpose="核验企业登记")
    look_up(department, company_resource, not_mine.uscc, purpose="别人的企业")
    page = client.get(URL).content.decode()
    assert "老街面馆有限公司" in page and "别人家公司" not in page and "核验企业登记" not in page
    tab = client.get(URL, {"for": mine.pk}).content.decode()
    assert "核验企业登记" in tab and "别人的企业" not in tab
    # an enterprise the person does not act for is not a tab: the page falls back to their own
    assert "别人的企业" not in client.get(URL, {"for": not_mine.pk}).content.decode()


def test_a_revoked_mandate_no_longer_shows_the_enterprise(client, setting):
    department, _, company_resource = setting
    me = login(client, UserFactory())
    company = LegalPersonFactory(name="已解除授权的公司")
    Mandate.objects.create(person=me.person, legal_person=company, role=Mandate.AGENT, status=Mandate.REVOKED)
    look_up(department, company_resource, company.uscc, purpose="核验企业登记")
    assert "核验企业登记" not in client.get(URL, {"for": company.pk}).content.decode()


def test_the_list_is_paged_in_a_fixed_number_of_queries(client, setting, django_assert_max_num_queries):
    department, resource, _ = setting
    me = login(client, UserFactory())
    others = [DepartmentFactory() for _ in range(3)]
    for other in others:
        grant(resource, other, fields=["status"])
    for index in range(33):
        look_up(others[index % 3] if index % 2 else department, resource, me.person.id_number, purpose=f"用途{index}")
    assert CallLog.objects.count() == 33
    with django_assert_max_num_queries(12):
        first = client.get(URL).content.decode()
    assert "用途32" in first and "用途2<" not in first and "下一页" in first
    second = client.get(URL, {"page": 2}).content.decode()
    assert "用途2<" in second and "上一页" in second and "下一页" not in second


def test_an_account_without_a_person_has_nothing_to_see(client):
    user = UserFactory(person=None)
    login(client, user)
    assert "尚未关联自然人身份" in client.get(URL).content.decode()


def test_the_page_needs_a_login(client):
    assert client.get(URL).status_code == 302
