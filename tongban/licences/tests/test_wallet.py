"""The wallet: the holder authorises a department or a case to use a licence, revokes it, and sees
every use — opens and downloads under an authorisation, reuse in an application, and the
exchange's lookups by identifier — in the exchange's call log."""

import datetime as dt

import pytest
from django.utils import timezone

from tongban.accounts.models import Mandate
from tongban.accounts.tests.factories import LegalPersonFactory, StaffFactory, UserFactory, staff_in
from tongban.cases import services as case_services
from tongban.cases.models import Case
from tongban.cases.tests.factories import applicant, case_item, draft_case, officer, pdf_bytes, submitted_case
from tongban.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from tongban.core.models import AuditEntry
from tongban.exchange.models import CallLog, DataResource
from tongban.exchange.query import Caller, calllog_flush, exchange_lookup, key_digest
from tongban.exchange.tests.factories import grant, resource_with_fields
from tongban.licences import services, wallet
from tongban.licences.models import LicenceAuthorisation, LicenceType
from tongban.licences.selectors import LIBRARY_FIELDS
from tongban.licences.tests.factories import issued_licence, issuer_officer, licence_type
from tongban.org.tests.factories import DepartmentFactory

pytestmark = pytest.mark.django_db


def library_resource(**kwargs) -> DataResource:
    """The licence library as the exchange catalogues it (as the demo registers it)."""
    return resource_with_fields(
        code=kwargs.pop("code", "licence_library"),
        served_by=DataResource.LICENCES,
        key_kind="licence",
        sharing=DataResource.UNCONDITIONAL,
        fields=list(LIBRARY_FIELDS),
        **kwargs,
    )


def holder_with_licence(**kwargs):
    """A citizen's account and a valid licence of theirs."""
    user = UserFactory()
    return user, issued_licence(holder=user.person, **kwargs)


def in_days(days: int) -> dt.date:
    return timezone.localdate() + dt.timedelta(days=days)


def authorise(user, licence, **target):
    target = target or {"department_id": DepartmentFactory().pk}
    return wallet.licence_authorise(
        actor=user, licence_id=licence.pk, purpose="办理食品经营许可", valid_until=in_days(30), **target
    )


def uses(licence) -> list[CallLog]:
    return wallet.uses_of_licence(licence).rows


# ---------------------------------------------------------------- authorising


def test_the_holder_authorises_a_department_and_the_consent_is_audited():
    user, licence = holder_with_licence()
    department = DepartmentFactory(name="示范市市场监督管理局")

    authorisation = wallet.licence_authorise(
        actor=user,
        licence_id=licence.pk,
        department_id=department.pk,
        purpose="  办理食品经营许可  ",
        valid_until=in_days(30),
    )

    assert (authorisation.department_id, authorisation.case_number) == (department.pk, "")
    assert (authorisation.purpose, authorisation.granted_by_id) == ("办理食品经营许可", user.pk)
    assert wallet.authorisation_state(authorisation) == wallet.LIVE
    entry = AuditEntry.objects.get(action="licence.authorise")
    assert entry.object_id == str(authorisation.pk) and entry.actor_id == user.pk
    assert entry.detail["identifier"] == licence.identifier and entry.detail["department"] == department.pk
    assert list(wallet.licence_authorisations(actor=user, licence_id=licence.pk)) == [authorisation]


def test_another_citizen_or_staff_cannot_authorise_or_list_the_holders_authorisations():
    user, licence = holder_with_licence()
    authorise(user, licence)
    for stranger in (UserFactory(), StaffFactory().user):
        with pytest.raises(NotFound):
            authorise(stranger, licence)
        with pytest.raises(NotFound):
            wallet.licence_authorisations(actor=stranger, licence_id=licence.pk)
        with pytest.raises(NotFound):
            wallet.licence_uses_page(actor=stranger, licence_id=licence.pk)
    assert LicenceAuthorisation.objects.count() == 1


def test_someone_acting_for_the_enterprise_authorises_its_licence():
    user = UserFactory()
    company = LegalPersonFactory(legal_representative=user.person)
    Mandate.objects.create(person=user.person, legal_person=company, role=Mandate.REPRESENTATIVE, status=Mandate.ACTIVE)
    licence = issued_licence(licence_type_obj=licence_type(holder_kind=LicenceType.LEGAL), holder=company)
    assert authorise(user, licence).licence_id == licence.pk
    with pytest.raises(NotFound):
        authorise(UserFactory(), licence)


def test_exactly_one_target_department_or_case():
    user, licence = holder_with_licence()
    case = submitted_case(case_item())
    for target in ({}, {"department_id": DepartmentFactory().pk, "case_number": case.number}):
        with pytest.raises(ValidationFailed) as refused:
            wallet.licence_authorise(
                actor=user, licence_id=licence.pk, purpose="核验", valid_until=in_days(1), **target
            )
        assert refused.value.code == "authorisation_target"


def test_the_case_must_exist_and_the_department_too():
    user, licence = holder_with_licence()
    with pytest.raises(NotFound) as unknown_case:
        authorise(user, licence, case_number="341900202601010000010001")
    assert unknown_case.value.code == "case_not_found" and "341900202601010000010001" in unknown_case.value.message
    with pytest.raises(NotFound):
        authorise(user, licence, department_id=987654)
    case = submitted_case(case_item())
    assert authorise(user, licence, case_number=f" {case.number} ").case_number == case.number


def test_valid_until_runs_from_today_to_a_year_ahead():
    user, licence = holder_with_licence()
    department = DepartmentFactory()
    for until in (in_days(-1), wallet.latest_until() + dt.timedelta(days=1)):
        with pytest.raises(ValidationFailed) as refused:
            wallet.licence_authorise(
                actor=user, licence_id=licence.pk, department_id=department.pk, purpose="核验", valid_until=until
            )
        assert refused.value.code == "authorisation_until"
    authorisation = wallet.licence_authorise(
        actor=user,
        licence_id=licence.pk,
        department_id=department.pk,
        purpose="核验",
        valid_until=wallet.latest_until(),
    )
    assert authorisation.valid_until == timezone.localdate() + dt.timedelta(days=365)


def test_a_purpose_is_required():
    user, licence = holder_with_licence()
    with pytest.raises(ValidationFailed) as refused:
        wallet.licence_authorise(
            actor=user, licence_id=licence.pk, department_id=DepartmentFactory().pk, purpose=" ", valid_until=in_days(3)
        )
    assert refused.value.field == "purpose"


def test_only_a_valid_licence_may_be_authorised():
    user, licence = holder_with_licence()
    services.licence_suspend(actor=issuer_officer(licence.issuer), licence_id=licence.pk, reason="暂扣整改")
    with pytest.raises(ValidationFailed) as suspended:
        authorise(user, licence)
    assert suspended.value.code == "licence_not_valid" and "暂扣" in suspended.value.message

    user, licence = holder_with_licence(valid_from=timezone.localdate() - dt.timedelta(days=6 * 365))
    assert licence.valid_until < timezone.localdate()  # five years, ended before the sweep ran
    with pytest.raises(ValidationFailed) as expired:
        authorise(user, licence)
    assert "过期" in expired.value.message


def test_a_second_live_authorisation_to_the_same_target_is_refused_until_the_first_is_revoked():
    user, licence = holder_with_licence()
    department = DepartmentFactory(name="示范市住房和城乡建设局")
    first = authorise(user, licence, department_id=department.pk)
    with pytest.raises(Conflict) as duplicate:
        authorise(user, licence, department_id=department.pk)
    assert duplicate.value.code == "authorisation_exists" and "示范市住房和城乡建设局" in duplicate.value.message
    authorise(user, licence)  # another department is another consent
    wallet.licence_authorisation_revoke(actor=user, authorisation_id=first.pk)
    assert authorise(user, licence, department_id=department.pk).pk != first.pk


# ---------------------------------------------------------------- revoking


def test_the_holder_revokes_at_once_and_only_once():
    user, licence = holder_with_licence()
    authorisation = authorise(user, licence)
    for stranger in (UserFactory(), StaffFactory().user):
        with pytest.raises(NotFound):
            wallet.licence_authorisation_revoke(actor=stranger, authorisation_id=authorisation.pk)

    revoked = wallet.licence_authorisation_revoke(actor=user, authorisation_id=authorisation.pk)

    assert revoked.revoked_at is not None and wallet.authorisation_state(revoked) == wallet.REVOKED
    assert AuditEntry.objects.filter(action="licence.authorisation_revoke", object_id=str(authorisation.pk)).exists()
    with pytest.raises(Conflict) as again:
        wallet.licence_authorisation_revoke(actor=user, authorisation_id=authorisation.pk)
    assert again.value.code == "authorisation_revoked"


# ---------------------------------------------------------------- use by the authorised side


def test_staff_of_the_authorised_department_open_the_licence_and_each_open_is_one_use():
    library = library_resource()
    user, licence = holder_with_licence()
    department = DepartmentFactory(name="示范市卫生健康委员会")
    clerk = StaffFactory(department=department).user
    authorisation = authorise(user, licence, department_id=department.pk)

    opened = wallet.licence_shared_read(actor=clerk, authorisation_id=authorisation.pk)
    downloaded = wallet.licence_shared_read(actor=clerk, authorisation_id=authorisation.pk, as_pdf=True)

    assert opened.licence == licence and opened.logged and opened.content == b""
    assert downloaded.content.startswith(b"%PDF") and downloaded.filename.endswith(".pdf")
    rows = list(CallLog.objects.order_by("id"))
    assert len(rows) == 2
    for row in rows:
        assert (row.resource_id, row.provider_id, row.outcome) == (library.pk, library.provider_id, CallLog.OK)
        assert (row.department_id, row.staff_user_id) == (department.pk, clerk.pk)
        assert (row.purpose, row.case_number) == ("持证人授权：办理食品经营许可", "")
        assert row.key_digest == key_digest(licence.identifier) and licence.identifier not in row.key_masked
        assert row.region_code == department.region_id
    reads = AuditEntry.objects.filter(action="licence.shared_read", object_id=str(licence.pk))
    assert sorted(entry.detail["form"] for entry in reads) == ["html", "pdf"]
    shown = uses(licence)
    assert [row.pk for row in shown] == [rows[1].pk, rows[0].pk]  # newest first
    assert shown[0].department_name == "示范市卫生健康委员会"


def test_a_department_not_authorised_cannot_open_and_leaves_no_use():
    library_resource()
    user, licence = holder_with_licence()
    authorisation = authorise(user, licence)
    issuer_staff = issuer_officer(licence.issuer)  # may read the licence in its library, not through this
    for outsider in (StaffFactory().user, issuer_staff, UserFactory(), user):
        with pytest.raises(NotFound) as refused:
            wallet.licence_shared_read(actor=outsider, authorisation_id=authorisation.pk)
        assert refused.value.code == "authorisation_not_found"
    assert not CallLog.objects.exists()


def test_revoking_or_expiry_stops_access_at_once():
    library_resource()
    user, licence = holder_with_licence()
    department = DepartmentFactory()
    clerk = StaffFactory(department=department).user
    authorisation = authorise(user, licence, department_id=department.pk)
    wallet.licence_shared_read(actor=clerk, authorisation_id=authorisation.pk)

    wallet.licence_authorisation_revoke(actor=user, authorisation_id=authorisation.pk)
    with pytest.raises(PermissionDenied) as revoked:
        wallet.licence_shared_read(actor=clerk, authorisation_id=authorisation.pk)
    assert revoked.value.code == "authorisation_revoked"

    renewed = authorise(user, licence, department_id=department.pk)
    LicenceAuthorisation.objects.filter(pk=renewed.pk).update(valid_until=in_days(-1))
    with pytest.raises(PermissionDenied) as expired:
        wallet.licence_shared_read(actor=clerk, authorisation_id=renewed.pk)
    assert expired.value.code == "authorisation_expired"
    assert CallLog.objects.count() == 1
    assert not wallet.authorisations_shared_with(clerk).exists()


def test_the_licence_current_status_is_shown_to_the_authorised_side_whatever_it_is():
    library_resource()
    user, licence = holder_with_licence()
    department = DepartmentFactory()
    authorisation = authorise(user, licence, department_id=department.pk)
    services.licence_revoke(actor=issuer_officer(licence.issuer), licence_id=licence.pk, reason="以欺骗手段取得")
    read = wallet.licence_shared_read(actor=StaffFactory(department=department).user, authorisation_id=authorisation.pk)
    assert read.licence.status == "03"


def test_a_case_authorisation_serves_the_staff_who_may_see_the_case_only():
    library_resource()
    user, licence = holder_with_licence()
    case = submitted_case(case_item())
    authorisation = authorise(user, licence, case_number=case.number)
    handler = officer(case.department, "accept")
    city_clerk = StaffFactory(department=DepartmentFactory()).user  # another department, whole city in scope
    elsewhere = staff_in("341903000000", "accept").user  # 城西区 only: the case is not in scope

    wallet.licence_shared_read(actor=handler, authorisation_id=authorisation.pk)
    wallet.licence_shared_read(actor=city_clerk, authorisation_id=authorisation.pk)
    with pytest.raises(NotFound):
        wallet.licence_shared_read(actor=elsewhere, authorisation_id=authorisation.pk)

    rows = CallLog.objects.order_by("id")
    assert [(row.staff_user_id, row.case_number) for row in rows] == [
        (handler.pk, case.number),
        (city_clerk.pk, case.number),
    ]
    assert list(wallet.authorisations_shared_with(handler)) == [authorisation]
    assert not wallet.authorisations_shared_with(elsewhere).exists()


def test_the_shared_list_holds_live_authorisations_of_the_department_and_of_cases_in_scope():
    department = DepartmentFactory()
    clerk = StaffFactory(department=department, scope_all_departments=False).user  # no case in scope
    case = submitted_case(case_item(department))
    handler = officer(department, "accept")
    user, licence = holder_with_licence()
    other_user, other_licence = holder_with_licence()
    to_department = authorise(user, licence, department_id=department.pk)
    to_case = authorise(other_user, other_licence, case_number=case.number)
    revoked = authorise(user, licence, case_number=case.number)
    wallet.licence_authorisation_revoke(actor=user, authorisation_id=revoked.pk)
    authorise(user, licence)  # another department's

    assert list(wallet.authorisations_shared_with(clerk)) == [to_department]
    assert set(wallet.authorisations_shared_with(handler)) == {to_department, to_case}
    assert not wallet.authorisations_shared_with(user).exists()


# ---------------------------------------------------------------- uses by case reuse and lookups


def application_needing_licence(user, licence_type_obj, *, other_material: bool = False) -> Case:
    materials = [{"standard": "居民身份证", "order": 1}]
    materials.append({"standard": "结婚证", "order": 2, "source": "licence", "source_ref": licence_type_obj.short_code})
    if other_material:
        materials.append({"standard": "经营场所证明", "order": 3})
    case = draft_case(case_item(materials=materials), user, upload=False)
    own = case.materials.filter(source="applicant").order_by("order").first()
    case_services.case_file_add(actor=user, case_id=case.pk, material_id=own.pk, name="身份证.pdf", content=pdf_bytes())
    return case


def test_reusing_the_licence_in_an_application_is_a_use_the_holder_sees():
    library_resource()
    user = applicant()
    marriage = licence_type(short_code="JHZ", name="结婚证")
    licence = issued_licence(licence_type_obj=marriage, holder=user.person)
    case = application_needing_licence(user, marriage)

    case = case_services.case_submit(actor=user, case_id=case.pk)

    assert case.materials.get(source="licence").evidence["reference"] == licence.identifier
    [row] = uses(licence)
    assert (row.department_id, row.region_code, row.outcome) == (case.department_id, case.region_code, CallLog.OK)
    assert row.purpose == f"办件免提交：{case.item_name}·结婚证"
    assert row.staff_user_id is None  # the applicant, not staff


def test_a_refused_submission_keeps_the_use_on_record():
    library_resource()
    user = applicant()
    marriage = licence_type(short_code="JHZ", name="结婚证")
    licence = issued_licence(licence_type_obj=marriage, holder=user.person)
    case = application_needing_licence(user, marriage, other_material=True)

    with pytest.raises(ValidationFailed) as missing:
        case_services.case_submit(actor=user, case_id=case.pk)

    assert "经营场所证明" in missing.value.problems[0]
    calllog_flush()
    assert [row.purpose for row in uses(licence)] == [f"办件免提交：{case.item_name}·结婚证"]


def test_without_a_library_resource_uses_are_kept_in_the_audit_chain():
    user, licence = holder_with_licence()
    department = DepartmentFactory()
    authorisation = authorise(user, licence, department_id=department.pk)
    read = wallet.licence_shared_read(actor=StaffFactory(department=department).user, authorisation_id=authorisation.pk)
    assert read.logged is False and not CallLog.objects.exists()
    entry = AuditEntry.objects.get(action="licence.shared_read")
    assert entry.detail["call_logged"] is False and entry.detail["authorisation"] == authorisation.pk

    assert (
        wallet.licence_use_record(
            licence=licence, department_id=department.pk, region_code=department.region_id, purpose="办件免提交：测试"
        )
        is False
    )
    assert AuditEntry.objects.get(action="licence.use").detail["purpose"] == "办件免提交：测试"


def test_an_unpublished_library_still_records_the_use():
    library = library_resource(is_active=False)
    user, licence = holder_with_licence()
    department = DepartmentFactory()
    authorisation = authorise(user, licence, department_id=department.pk)
    wallet.licence_shared_read(actor=StaffFactory(department=department).user, authorisation_id=authorisation.pk)
    assert list(CallLog.objects.values_list("resource_id", flat=True)) == [library.pk]


def test_the_exchanges_lookups_by_identifier_are_in_the_holders_use_log():
    library = library_resource()
    _, licence = holder_with_licence()
    consumer = DepartmentFactory(name="示范市民政局")
    grant(library, consumer, fields=["type_name", "status"])
    caller = Caller(department_id=consumer.pk, system_id=None, staff_user_id=None, region_code=consumer.region_id)

    exchange_lookup(
        caller=caller,
        resource_code=library.code,
        keys=[f" {licence.identifier} "],
        fields=["status"],
        purpose="核验结婚证",
    )

    [row] = uses(licence)
    assert (row.department_name, row.purpose, row.outcome) == ("示范市民政局", "核验结婚证", CallLog.OK)
    assert not uses(issued_licence())
