"""The data-resource catalogue: registering, changing, publishing resources; who may; searching;
the items a resource supplies; the export."""

import csv
import io

import pytest
from openpyxl import load_workbook

from tongban.accounts.tests.factories import UserFactory
from tongban.cases.tests.factories import case_item, officer
from tongban.catalog.tests.factories import standard_material
from tongban.core.audit import audit_seal
from tongban.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from tongban.core.models import AuditEntry
from tongban.exchange import selectors, services
from tongban.exchange.models import DataResource, ResourceField
from tongban.exchange.tests.factories import resource_with_fields
from tongban.org.tests.factories import DepartmentFactory

pytestmark = pytest.mark.django_db

FIELDS = [
    {"name": "id_number", "label": "公民身份号码", "type": "id_number", "sensitivity": "sensitive", "required": True},
    {"name": "cremated_on", "label": "火化日期", "type": "date"},
    {"name": "cremation", "label": "火化证明编号", "type": "string", "sensitivity": "internal"},
]


@pytest.fixture
def provider():
    return DepartmentFactory(name="示范市民政局")


@pytest.fixture
def data_officer(provider):
    return officer(provider, "data")


def create(actor, provider, **overrides):
    values = {"code": "civil", "name": "殡葬服务信息", "provider_id": provider.pk, "fields": FIELDS}
    return services.resource_create(actor=actor, **{**values, **overrides})


def test_a_data_officer_registers_a_resource_of_the_department(data_officer, provider):
    resource = create(data_officer, provider, description="火化信息", frequency="realtime")
    assert (resource.code, resource.provider_id, resource.is_active) == ("civil", provider.pk, False)
    fields = list(resource.fields.values_list("name", "type", "sensitivity", "required", "order"))
    assert fields == [
        ("id_number", "id_number", "sensitive", True, 1),
        ("cremated_on", "date", "internal", False, 2),
        ("cremation", "string", "internal", False, 3),
    ]
    audit_seal()
    assert AuditEntry.objects.filter(action="resource.create", object_id=str(resource.pk)).exists()


def test_field_names_must_be_codes_and_unique(data_officer, provider):
    fields = [
        {"name": "id_number", "label": "公民身份号码", "type": "id_number"},
        {"name": "Bad-Name", "label": "坏", "type": "string"},
        {"name": "id_number", "label": "重复", "type": "string"},
        {"name": "when", "label": "", "type": "time"},
    ]
    with pytest.raises(ValidationFailed) as refused:
        create(data_officer, provider, fields=fields)
    problems = "；".join(refused.value.problems)
    assert "的代码“Bad-Name”无效" in problems
    assert "字段代码“id_number”重复" in problems
    assert "须有名称" in problems
    assert "类型“time”无效" in problems
    assert not DataResource.objects.exists()


def test_not_shared_needs_a_legal_reason_and_remote_an_endpoint(data_officer, provider):
    with pytest.raises(ValidationFailed, match="不予共享的资源须写明"):
        create(data_officer, provider, sharing=DataResource.NOT_SHARED)
    with pytest.raises(ValidationFailed, match="须填写有效的接口地址"):
        create(data_officer, provider, served_by=DataResource.REMOTE, endpoint_url="ftp://x")
    resource = create(
        data_officer, provider, served_by=DataResource.REMOTE, endpoint_url="http://127.0.0.1:8900/marriage"
    )
    assert resource.served_by == DataResource.REMOTE


def test_the_key_needs_a_field(data_officer, provider):
    with pytest.raises(ValidationFailed, match="须有与查询主键对应的字段"):
        create(data_officer, provider, key_kind="uscc")


def test_resource_codes_are_unique_and_without_dots(data_officer, provider):
    create(data_officer, provider)
    with pytest.raises(Conflict):
        create(data_officer, provider)
    with pytest.raises(ValidationFailed, match="不能含"):
        create(data_officer, provider, code="civil.cremation")


def test_only_the_providers_data_officers_or_an_admin_in_scope_manage(provider):
    outsider = officer(DepartmentFactory(), "data")
    clerk = officer(provider, "accept")
    for actor in (outsider, clerk, UserFactory()):
        with pytest.raises(PermissionDenied):
            create(actor, provider)
    admin = officer(DepartmentFactory(region=provider.region), "admin")
    assert create(admin, provider).provider_id == provider.pk


def test_update_replaces_the_field_list(data_officer, provider):
    create(data_officer, provider)
    fields = [FIELDS[0], {"name": "place", "label": "火化地点", "type": "string"}, FIELDS[1]]
    resource = services.resource_update(
        actor=data_officer, code="civil", fields=fields, name="殡葬信息", frequency="weekly"
    )
    assert (resource.name, resource.frequency) == ("殡葬信息", "weekly")
    assert list(resource.fields.values_list("name", "order")) == [("id_number", 1), ("place", 2), ("cremated_on", 3)]
    with pytest.raises(ValidationFailed, match="不能修改"):
        services.resource_update(actor=data_officer, code="civil", provider_id=1)
    with pytest.raises(ValidationFailed, match="不予共享"):
        services.resource_update(actor=data_officer, code="civil", sharing=DataResource.NOT_SHARED)
    with pytest.raises(PermissionDenied):
        services.resource_update(actor=officer(DepartmentFactory(), "data"), code="civil", name="x")


def test_publish_and_withdraw(data_officer, provider):
    create(data_officer, provider)
    assert services.resource_publish(actor=data_officer, code="civil").is_active
    with pytest.raises(Conflict):
        services.resource_publish(actor=data_officer, code="civil")
    assert not services.resource_withdraw(actor=data_officer, code="civil").is_active
    audit_seal()
    actions = list(AuditEntry.objects.filter(object_type="exchange.dataresource").values_list("action", flat=True))
    assert actions.count("resource.publish") == 1 and actions.count("resource.withdraw") == 1


def test_staff_browse_published_resources_and_managers_also_their_drafts(data_officer, provider):
    create(data_officer, provider)  # unpublished
    published = resource_with_fields(name="婚姻登记信息", code="marriage", is_active=True)
    other_staff = officer(DepartmentFactory(), "accept")
    assert [r.code for r in selectors.resources_search(actor=other_staff).object_list] == ["marriage"]
    assert [r.code for r in selectors.resources_search(actor=data_officer).object_list] == ["civil", "marriage"]
    with pytest.raises(NotFound):
        selectors.resource_detail(actor=other_staff, code="civil")
    assert selectors.resource_detail(actor=other_staff, code="marriage") == published


def test_citizens_cannot_browse_the_catalogue():
    with pytest.raises(PermissionDenied):
        selectors.resources_search(actor=UserFactory())


def test_search_finds_field_labels_and_filters(data_officer, provider):
    resource_with_fields(name="婚姻登记信息", code="marriage", provider=provider, sharing=DataResource.UNCONDITIONAL)
    resource_with_fields(
        name="不动产登记信息",
        code="housing",
        description="不动产权属登记信息",
        fields=[("id_number", "公民身份号码", "id_number", "sensitive"), ("owner", "权利人", "string", "sensitive")],
        sharing=DataResource.CONDITIONAL,
    )

    def codes(**filters):
        page = selectors.resources_search(actor=data_officer, **filters)
        return [r.code for r in page.object_list]

    assert codes(q="配偶") == ["marriage"]  # a field label
    assert codes(q="不动产") == ["housing"]
    assert codes(q="公民身份号码") == ["housing", "marriage"]  # once each, though both have the label
    assert codes(provider=provider.pk) == ["marriage"]
    assert codes(sharing=DataResource.CONDITIONAL) == ["housing"]
    assert codes(served_by=DataResource.REMOTE) == []
    page = selectors.resources_search(actor=data_officer, q="婚姻")
    assert page.object_list[0].field_count == 5


def test_items_using_a_resource_through_shared_fields_and_licences(provider):
    resource_with_fields(code="population", provider=provider)
    entities = resource_with_fields(
        code="legal_entity",
        licence_type_code="YYZZ",
        key_kind="uscc",
        fields=[("uscc", "统一社会信用代码", "uscc", "public")],
    )
    household = standard_material("户口簿")
    licence = standard_material("营业执照")
    version = case_item(
        materials=[
            {"standard": household.name, "order": 1, "source": "shared", "source_ref": "population.household"},
            {"standard": licence.name, "order": 2, "source": "licence", "source_ref": "YYZZ"},
        ]
    )
    uses = selectors.items_using_resource("population")
    assert [(u.item_name, u.materials) for u in uses] == [(version.name, ("户口簿（population.household）",))]
    uses = selectors.items_using_resource(entities.code)
    assert [u.version_id for u in uses] == [version.pk]
    assert selectors.items_using_resource("populations") == []


def test_the_export_has_one_row_per_field(data_officer, provider):
    create(data_officer, provider, description="火化信息")
    resource_with_fields(code="marriage", name='=HYPERLINK("x")', is_active=True)
    query = selectors.CatalogueQuery()
    resources = selectors.resources_for_export(actor=data_officer, query=query)
    rows = list(csv.reader(io.StringIO(selectors.catalogue_csv(resources).lstrip("\ufeff"))))
    assert rows[0] == selectors.EXPORT_HEADER
    assert len(rows) == 1 + 3 + 5
    assert rows[1][:3] == ["civil", "殡葬服务信息", "示范市民政局"]
    assert rows[1][9:] == ["id_number", "公民身份号码", "公民身份号码", "敏感个人信息", "是"]
    assert rows[4][1] == '\'=HYPERLINK("x")'  # never a live formula
    sheet = load_workbook(io.BytesIO(selectors.catalogue_xlsx(resources))).active
    values = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert values[0] == selectors.EXPORT_HEADER
    assert values[2][9:11] == ["cremated_on", "火化日期"]
    assert len(values) == 9 and values[4][1].startswith("'=")


def test_sensitivity_levels_are_the_models(data_officer, provider):
    create(data_officer, provider)
    assert set(ResourceField.objects.values_list("sensitivity", flat=True)) <= {"public", "internal", "sensitive"}
