import datetime as dt

import pytest

from tongban.accounts.tests.factories import LegalPersonFactory, PersonFactory, StaffFactory, UserFactory
from tongban.core.errors import Conflict, PermissionDenied, ValidationFailed
from tongban.core.models import AuditEntry, OutboxEvent
from tongban.licences import seal, services
from tongban.licences.identifiers import licence_identifier_parse
from tongban.licences.models import Licence, LicenceType
from tongban.licences.tests.factories import (
    issued_licence,
    issuer_officer,
    legal_data,
    licence_type,
    person_data,
)
from tongban.notifications.models import Notification
from tongban.org.tests.factories import DepartmentFactory

pytestmark = pytest.mark.django_db


def test_issue_signs_numbers_and_records(django_capture_on_commit_callbacks):
    kind = licence_type(validity_years=5)
    holder = PersonFactory()
    user = UserFactory(person=holder)
    with django_capture_on_commit_callbacks(execute=True):
        licence = issued_licence(licence_type_obj=kind, holder=holder, case_number="C-1")
    parsed = licence_identifier_parse(licence.identifier)
    assert (parsed.type_code, parsed.issuer_uscc, parsed.serial, parsed.version) == (
        kind.code,
        kind.defining_department.uscc,
        "00000001",
        1,
    )
    assert licence.status == "01" and licence.holder_name == holder.real_name
    assert licence.valid_until == licence.valid_from.replace(year=licence.valid_from.year + 5) - dt.timedelta(days=1)
    assert list(licence.history.values_list("act", "code")) == [("issue", "01")]
    assert AuditEntry.objects.filter(action="licence.issue", object_id=str(licence.pk)).exists()
    assert OutboxEvent.objects.filter(topic="licence.changed", payload__licence_id=licence.pk).exists()
    assert Notification.objects.filter(recipient=user, topic="licence.issue").count() == 1


def test_serials_grow_per_type_and_issuer():
    kind = licence_type()
    first, second = issued_licence(licence_type_obj=kind), issued_licence(licence_type_obj=kind)
    other = issued_licence()
    assert (first.serial, second.serial, other.serial) == ("00000001", "00000002", "00000001")


def test_data_is_checked_against_the_schema_with_every_problem():
    kind = licence_type(holder_kind=LicenceType.LEGAL)
    with pytest.raises(ValidationFailed) as refused:
        issued_licence(licence_type_obj=kind, data={"capital": "很多", "established_on": "2020-13-01", "x": 1})
    problems = refused.value.problems
    assert any("不属于" in p for p in problems)
    assert any("经营范围" in p and "必填" in p for p in problems)
    assert any("注册资本" in p and "整数" in p for p in problems)
    assert any("成立日期" in p and "日期" in p for p in problems)


def test_data_is_normalised():
    kind = licence_type(holder_kind=LicenceType.LEGAL)
    licence = issued_licence(licence_type_obj=kind, data={**legal_data(), "capital": "200", "chain": "是"})
    assert licence.data["capital"] == 200 and licence.data["chain"] is True


def test_holder_kind_must_match_the_type():
    kind = licence_type(holder_kind=LicenceType.NATURAL)
    officer = issuer_officer(kind.defining_department)
    with pytest.raises(ValidationFailed, match="自然人"):
        services.licence_issue(
            actor=officer,
            type_code=kind.code,
            data=person_data(),
            issuer_department_id=kind.defining_department_id,
            holder_legal_person_id=LegalPersonFactory().pk,
        )


def test_only_issuing_staff_of_a_registered_issuer_may_issue():
    kind = licence_type()
    department = kind.defining_department
    holder = PersonFactory()
    args = {"type_code": kind.code, "data": person_data(), "holder_person_id": holder.pk}
    with pytest.raises(PermissionDenied):  # no issuing post
        services.licence_issue(
            actor=StaffFactory(department=department, posts=["accept"]).user,
            issuer_department_id=department.pk,
            **args,
        )
    with pytest.raises(PermissionDenied):  # a citizen
        services.licence_issue(actor=UserFactory(), issuer_department_id=department.pk, **args)
    outsider = DepartmentFactory()
    with pytest.raises(PermissionDenied, match="不是"):  # not a registered issuer of this type
        services.licence_issue(actor=issuer_officer(outsider), issuer_department_id=outsider.pk, **args)
    assert not Licence.objects.exists()


@pytest.mark.parametrize(
    ("service", "status"),
    [
        (services.licence_suspend, "02"),
        (services.licence_revoke, "03"),
        (services.licence_cancel, "04"),
        (services.licence_transfer_out, "06"),
        (services.licence_revoke_penalty, "07"),
    ],
)
def test_lifecycle_acts_record_audit_and_notify(service, status, django_capture_on_commit_callbacks):
    holder = PersonFactory()
    user = UserFactory(person=holder)
    licence = issued_licence(holder=holder)
    officer = issuer_officer(licence.issuer)
    with django_capture_on_commit_callbacks(execute=True):
        service(actor=officer, licence_id=licence.pk, reason="依法处理")
    licence.refresh_from_db()
    assert licence.status == status
    last = licence.history.last()
    assert (last.code, last.reason, last.actor_id) == (status, "依法处理", officer.pk)
    assert AuditEntry.objects.filter(action__startswith="licence.", object_id=str(licence.pk)).count() == 2
    assert Notification.objects.filter(recipient=user).exclude(topic="licence.issue").get().body.endswith("依法处理")


def test_restore_brings_a_suspended_licence_back_and_forbidden_acts_are_refused():
    licence = issued_licence()
    officer = issuer_officer(licence.issuer)
    services.licence_suspend(actor=officer, licence_id=licence.pk, reason="暂扣三个月")
    services.licence_restore(actor=officer, licence_id=licence.pk, reason="期满恢复")
    services.licence_revoke(actor=officer, licence_id=licence.pk, reason="撤销许可")
    with pytest.raises(Conflict, match="撤销"):
        services.licence_restore(actor=officer, licence_id=licence.pk, reason="恢复")
    assert list(Licence.objects.get(pk=licence.pk).history.values_list("code", flat=True)) == ["01", "02", "01", "03"]


def test_a_reason_is_required():
    licence = issued_licence()
    with pytest.raises(ValidationFailed, match="原因"):
        services.licence_suspend(actor=issuer_officer(licence.issuer), licence_id=licence.pk, reason=" ")


def test_legal_person_licences_notify_the_representative(django_capture_on_commit_callbacks):
    legal = LegalPersonFactory()
    representative = UserFactory(person=legal.legal_representative)
    with django_capture_on_commit_callbacks(execute=True):
        issued_licence(licence_type_obj=licence_type(holder_kind=LicenceType.LEGAL), holder=legal)
    assert Notification.objects.filter(recipient=representative, topic="licence.issue").exists()


def test_change_issues_a_new_version_and_ends_the_old_one():
    licence = issued_licence()
    officer = issuer_officer(licence.issuer)
    new = services.licence_change(actor=officer, licence_id=licence.pk, data={"note": "更正"}, reason="信息更正")
    licence.refresh_from_db()
    assert licence.status == "05" and new.status == "01"
    assert (new.serial, new.version, new.previous_id) == (licence.serial, 2, licence.pk)
    assert new.data["note"] == "更正" and new.valid_until == licence.valid_until
    assert seal.seal_verify(Licence.objects.select_related("type", "previous").get(pk=new.pk))
    with pytest.raises(Conflict):
        services.licence_change(actor=officer, licence_id=licence.pk, data={"note": "再改"}, reason="再改一次")


def test_renew_starts_after_the_current_version_which_stays_valid():
    licence = issued_licence()
    new = services.licence_renew(actor=issuer_officer(licence.issuer), licence_id=licence.pk, reason="延续申请")
    licence.refresh_from_db()
    assert licence.status == "01"
    assert new.valid_from == licence.valid_until + dt.timedelta(days=1) and new.version == 2
    with pytest.raises(Conflict, match="新版本"):
        services.licence_renew(actor=issuer_officer(licence.issuer), licence_id=licence.pk, reason="再次延续")


def test_open_ended_licences_are_not_renewed():
    licence = issued_licence(licence_type_obj=licence_type(validity_years=None))
    assert licence.valid_until is None
    with pytest.raises(ValidationFailed, match="长期有效"):
        services.licence_renew(actor=issuer_officer(licence.issuer), licence_id=licence.pk, reason="延续申请")


def test_expiry_sweep_expires_and_reminds_once(django_capture_on_commit_callbacks):
    holder = PersonFactory()
    user = UserFactory(person=holder)
    kind = licence_type(validity_years=1)
    old = issued_licence(licence_type_obj=kind, holder=holder, valid_from=dt.date.today() - dt.timedelta(days=400))
    soon = issued_licence(licence_type_obj=kind, holder=holder, valid_from=dt.date.today() - dt.timedelta(days=350))
    later = issued_licence(licence_type_obj=kind, holder=holder)
    with django_capture_on_commit_callbacks(execute=True):
        report = services.licence_expiry_sweep()
    assert (report.expired, report.reminded) == (1, 1)
    assert Licence.objects.get(pk=old.pk).status == "05"
    assert Licence.objects.get(pk=soon.pk).reminded_at is not None
    assert Licence.objects.get(pk=later.pk).reminded_at is None
    assert services.licence_expiry_sweep().__dict__ == {"expired": 0, "reminded": 0}
    assert Notification.objects.filter(recipient=user, topic="licence.remind").count() == 1
    assert Notification.objects.filter(recipient=user, topic="licence.expire").count() == 1


def test_expire_is_for_the_system_only():
    licence = issued_licence()
    with pytest.raises(PermissionDenied):
        services._transition(
            actor=issuer_officer(licence.issuer), licence_id=licence.pk, act="expire", reason="手工失效"
        )


def test_catalogue_codes_find_types_and_holders_valid_licences():
    from tongban.licences import selectors

    kind = licence_type(short_code="JHZ")
    holder = PersonFactory()
    first = issued_licence(licence_type_obj=kind, holder=holder)
    assert selectors.licence_type_for_catalogue("jhz") == kind
    assert selectors.licence_valid_for_holder(short_code="JHZ", holder_person_id=holder.pk) == first
    services.licence_cancel(actor=issuer_officer(first.issuer), licence_id=first.pk, reason="注销登记")
    assert selectors.licence_valid_for_holder(short_code="JHZ", holder_person_id=holder.pk) is None
    assert selectors.licence_valid_for_holder(short_code="JHZ") is None


def test_type_define_validates_and_is_for_administrators():
    department = DepartmentFactory()
    admin = StaffFactory(posts=["admin"]).user
    args = {
        "short_code": "GGCSWSXKZ",
        "code": f"{department.uscc}007",
        "name": "公共场所卫生许可证",
        "defining_department_id": department.pk,
        "issuing_department_ids": [department.pk],
        "holder_kind": "legal",
        "fields": [{"name": "item", "label": "许可项目", "type": "text", "required": True}],
        "validity_years": 4,
    }
    kind = services.licence_type_define(actor=admin, **args)
    assert kind.code.endswith("007") and list(kind.issuing_departments.all()) == [department]
    assert AuditEntry.objects.filter(action="licence.type_define").count() == 1
    with pytest.raises(PermissionDenied):
        services.licence_type_define(actor=UserFactory(), **args)
    with pytest.raises(ValidationFailed, match="21位"):
        services.licence_type_define(actor=admin, **{**args, "code": department.uscc})
    with pytest.raises(ValidationFailed, match="照面信息项"):
        services.licence_type_define(actor=admin, **{**args, "fields": [{"name": "x", "label": "X", "type": "money"}]})
    with pytest.raises(ValidationFailed, match="版式模板"):
        services.licence_type_define(actor=admin, **{**args, "template": "licences/documents/nowhere.html"})
    with pytest.raises(Conflict):
        services.licence_type_define(actor=admin, **{**args, "short_code": "OTHER"})
