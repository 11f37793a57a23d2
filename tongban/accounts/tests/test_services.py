import datetime as dt

import pytest
from django.test import RequestFactory
from django.test.utils import override_settings

from tongban.accounts import selectors, services
from tongban.accounts.models import Mandate, User
from tongban.accounts.tests.factories import (
    PASSWORD,
    LegalPersonFactory,
    PersonFactory,
    UserFactory,
    next_id_number,
    staff_in,
)
from tongban.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from tongban.core.models import AuditEntry

pytestmark = pytest.mark.django_db


def register(**overrides):
    fields = {"real_name": "王小明", "id_number": next_id_number(), "phone": "13912345678", "password": PASSWORD}
    return services.person_register(**{**fields, **overrides})


def test_registration_derives_birth_date_and_sex_from_the_id_number():
    user = register(id_number="11010519491231002X")
    assert user.person.birth_date == dt.date(1949, 12, 31)
    assert user.person.sex == "F"
    assert user.kind == User.CITIZEN
    assert AuditEntry.objects.filter(action="user.register", object_id=str(user.pk)).exists()


def test_registration_with_a_wrong_check_character_names_the_expected_one():
    with pytest.raises(ValidationFailed) as caught:
        register(id_number="110105194912310021")
    assert caught.value.code == "id_number_checksum"
    assert "应为“X”" in caught.value.message
    assert not User.objects.exists()


def test_registration_refuses_a_second_account_for_the_same_person():
    id_number = next_id_number()
    register(id_number=id_number)
    with pytest.raises(Conflict):
        register(id_number=id_number, phone="13900000000")


def test_registration_refuses_a_weak_password_and_writes_nothing():
    with pytest.raises(ValidationFailed) as caught:
        register(password="abcdefgh")
    assert caught.value.field == "password"
    assert not User.objects.exists()


def login(identifier, password):
    return services.user_login(request=RequestFactory().post("/login/"), identifier=identifier, password=password)


def test_login_by_id_number_or_phone():
    user = UserFactory()
    assert login(user.person.id_number, PASSWORD) == user
    assert login(user.person.phone, PASSWORD) == user


@override_settings(TONGBAN_LOCKOUT_ATTEMPTS=3)
def test_repeated_failures_lock_the_account_even_for_the_right_password():
    user = UserFactory()
    for _ in range(3):
        with pytest.raises(ValidationFailed):
            login(user.username, "wrong")
    with pytest.raises(ValidationFailed) as caught:
        login(user.username, PASSWORD)
    with pytest.raises(ValidationFailed) as unknown:
        login("nobody-here", PASSWORD)
    assert caught.value.message == unknown.value.message  # a locked account reads as any refusal
    outcomes = list(AuditEntry.objects.filter(action="user.login").values_list("outcome", flat=True))
    assert outcomes.count("failed") == 2 and outcomes.count("locked") == 2


def test_a_successful_login_resets_the_failure_count():
    user = UserFactory()
    with pytest.raises(ValidationFailed):
        login(user.username, "wrong")
    login(user.username, PASSWORD)
    user.refresh_from_db()
    assert user.failed_logins == 0


def test_the_legal_representative_binds_at_once_and_an_agent_waits_for_confirmation():
    company = LegalPersonFactory()
    representative = UserFactory(person=company.legal_representative)
    agent = UserFactory()
    own = services.legal_person_bind(user=representative, uscc=company.uscc, name=company.name)
    pending = services.legal_person_bind(user=agent, uscc=company.uscc.lower(), name=company.name)
    assert (own.role, own.status) == (Mandate.REPRESENTATIVE, Mandate.ACTIVE)
    assert (pending.role, pending.status) == (Mandate.AGENT, Mandate.PENDING)
    assert list(selectors.legal_persons_for(agent.person)) == []

    services.mandate_decide(user=representative, mandate_id=pending.pk, approve=True)
    assert list(selectors.legal_persons_for(agent.person)) == [company]

    services.mandate_revoke(user=representative, mandate_id=pending.pk)
    assert list(selectors.legal_persons_for(agent.person)) == []
    actions = set(AuditEntry.objects.values_list("action", flat=True))
    assert {"mandate.request", "mandate.approve", "mandate.revoke"} <= actions


def test_binding_checks_the_credit_code_and_the_registered_name():
    company = LegalPersonFactory()
    user = UserFactory()
    with pytest.raises(ValidationFailed) as caught:
        wrong = "1" if company.uscc[-1] == "0" else "0"  # any check character but the right one
        services.legal_person_bind(user=user, uscc=company.uscc[:17] + wrong, name=company.name)
    assert caught.value.code in {"uscc_checksum", "uscc_format"}
    with pytest.raises(ValidationFailed):
        services.legal_person_bind(user=user, uscc=company.uscc, name="别的公司")
    services.legal_person_bind(user=user, uscc=company.uscc, name=company.name)
    with pytest.raises(Conflict):
        services.legal_person_bind(user=user, uscc=company.uscc, name=company.name)


def test_only_the_representative_decides_on_an_agent():
    company = LegalPersonFactory()
    pending = services.legal_person_bind(user=UserFactory(), uscc=company.uscc, name=company.name)
    with pytest.raises(NotFound):
        services.mandate_decide(user=UserFactory(), mandate_id=pending.pk, approve=True)


def test_revealing_an_id_number_is_audited_with_its_grounds():
    clerk = staff_in("341902000000", "window")
    person = PersonFactory()
    value = services.person_reveal(
        actor=clerk.user,
        person_id=person.pk,
        field="id_number",
        basis="purpose",
        reference="record_correction",
        note="户籍地址登记错误",
    )
    assert value == person.id_number
    entry = AuditEntry.objects.get(action="person.reveal")
    assert entry.actor_id == clerk.user.pk
    assert entry.detail == {
        "field": "id_number",
        "basis": "purpose",
        "purpose": "record_correction",
        "purpose_label": "更正登记错误",
        "note": "户籍地址登记错误",
    }


def test_revealing_needs_grounds_and_a_person_in_scope():
    east, west = staff_in("341902000000", "window"), staff_in("341903000000", "window")
    person = PersonFactory()  # lives in 城东区
    grounds = {"basis": "purpose", "reference": "record_correction"}
    with pytest.raises(ValidationFailed):
        services.person_reveal(actor=east.user, person_id=person.pk, field="id_number", **grounds, note=" ")
    with pytest.raises(NotFound):
        services.person_reveal(actor=west.user, person_id=person.pk, field="id_number", **grounds, note="核验")
    assert not AuditEntry.objects.filter(action="person.reveal").exists()


def test_only_administrators_create_staff():
    clerk = staff_in("341900000000", "window")
    admin = staff_in("341900000000", "admin")
    fields = {
        "password": PASSWORD,
        "real_name": "新同事",
        "department_id": clerk.department_id,
        "post_codes": ["review"],
        "scope_region_code": "341902000000",
    }
    with pytest.raises(PermissionDenied):
        services.staff_create(actor=clerk.user, username="new1", **fields)
    staff = services.staff_create(actor=admin.user, username="new1", **fields)
    assert [p.code for p in staff.posts.all()] == ["review"]
    assert selectors.staff_scope(staff.user).region_prefix == "341902"
