import pytest

from tongban.accounts.tests.factories import staff_in
from tongban.catalog import services
from tongban.catalog.models import Item, ItemVersion
from tongban.catalog.tests.factories import draft_item, published_item
from tongban.core.errors import Conflict, PermissionDenied, ValidationFailed
from tongban.core.models import AuditEntry
from tongban.org.tests.factories import DepartmentFactory, region_tree

pytestmark = pytest.mark.django_db


def test_a_consistent_draft_publishes_and_becomes_current():
    version = published_item()
    item = Item.objects.get(pk=version.item_id)
    assert version.status == ItemVersion.PUBLISHED and item.current_id == version.pk
    assert AuditEntry.objects.filter(action="version.publish", object_id=str(version.pk)).exists()


def test_publishing_lists_every_broken_rule():
    version = draft_item(
        visits=2,
        visits_reason="",
        online_depth=4,
        charged=False,
        online_payment=True,
        consult_phone="12345",
        complaint_phone="12345",
        promised_limit_days=5,
        legal_limit_days=3,
    )
    with pytest.raises(ValidationFailed) as caught:
        services.version_publish(actor=None, version_id=version.pk)
    problems = caught.value.problems
    assert caught.value.code == "version_inconsistent"
    assert any("到现场的原因" in p for p in problems)
    assert any("全程网办" in p for p in problems)
    assert any("网上支付" in p for p in problems)
    assert any("咨询电话与监督投诉电话" in p for p in problems)
    assert any("法定时限" in p for p in problems)
    assert any("环节时限之和为8个工作日" in p for p in problems)
    assert len(problems) == 6
    version.refresh_from_db()
    assert version.status == ItemVersion.DRAFT


def test_instant_items_must_be_instant_in_both_kinds():
    version = draft_item(promised_limit_days=0, promise_kind="instant", review_kind="staged")
    with pytest.raises(ValidationFailed) as caught:
        services.version_publish(actor=None, version_id=version.pk)
    assert any("即办件" in p for p in caught.value.problems)


def test_an_implementation_code_must_embed_the_implementing_body():
    other = DepartmentFactory()
    version = draft_item(implementation_code=f"{other.uscc}{other.region_id}000119999999")
    with pytest.raises(ValidationFailed) as caught:
        services.version_publish(actor=None, version_id=version.pk)
    assert any("统一社会信用代码与实施主体" in p for p in caught.value.problems)


def test_a_published_version_cannot_be_edited_but_a_new_version_can():
    version = published_item()
    with pytest.raises(Conflict) as caught:
        services.version_update(actor=None, version_id=version.pk, name="改名")
    assert caught.value.code == "version_immutable"
    with pytest.raises(Conflict):
        services.version_parts_replace(actor=None, version_id=version.pk, steps=[])

    draft = services.version_draft_new(actor=None, item_id=version.item_id)
    assert (draft.number, draft.status) == (2, ItemVersion.DRAFT)
    assert draft.steps.count() == 4 and draft.materials.count() == 2
    services.version_update(actor=None, version_id=draft.pk, name="食品经营许可（新办）", promised_limit_days=9)
    services.version_publish(actor=None, version_id=draft.pk)

    version.refresh_from_db()
    assert version.status == ItemVersion.SUPERSEDED and version.name == "食品经营许可"
    assert Item.objects.get(pk=version.item_id).current.name == "食品经营许可（新办）"


def test_only_one_draft_at_a_time():
    version = published_item()
    services.version_draft_new(actor=None, item_id=version.item_id)
    with pytest.raises(Conflict):
        services.version_draft_new(actor=None, item_id=version.item_id)


def test_withdrawing_takes_the_item_off_the_catalogue():
    version = published_item()
    with pytest.raises(ValidationFailed):
        services.version_withdraw(actor=None, version_id=version.pk, reason="")
    services.version_withdraw(actor=None, version_id=version.pk, reason="依据国务院决定取消")
    assert Item.objects.get(pk=version.item_id).current_id is None


def test_catalogue_administrators_act_only_on_their_departments():
    regions = region_tree()
    east = DepartmentFactory(region=regions["341902000000"])
    west = DepartmentFactory(region=regions["341903000000"])
    admin = staff_in("341902000000", "admin")
    clerk = staff_in("341902000000", "window")
    draft_item(east, actor=admin.user)
    with pytest.raises(PermissionDenied) as caught:
        draft_item(west, actor=admin.user)
    assert caught.value.code == "department_out_of_scope"
    with pytest.raises(PermissionDenied):
        draft_item(east, actor=clerk.user)


def test_handling_items_name_their_situation():
    main = published_item()
    with pytest.raises(ValidationFailed):
        services.item_create(
            actor=None,
            department_id=main.item.department_id,
            basic_code=main.item.basic_code,
            kind=Item.HANDLING,
            parent_id=main.item_id,
            name="食品经营许可（变更）",
        )
