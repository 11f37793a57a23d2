"""Access governance of the demo city: who may read which shared data.

The platform fetches shared data on behalf of the department that handles a case (免提交), so every
department whose items list a material mapped to a resource (a catalogue material with
`source="shared"` and `source_ref="<resource code>.<field>"`, or `source="licence"` naming the
e-licence type a resource stands in for) gets a department-wide grant of those fields, through the
same services a data officer would use: unconditional resources are granted at once, conditional
ones approved by the provider's data officer. Each such department also registers one consumer
system. A few more requests stay pending (one of them overdue, for the supervisors) or refused, so
the inbox and the lists have something to show.

Resources are read from the database (another part of the demo seeds them). Departments without a
data officer get one (`<department key>.data`, the demo password). Nothing is printed.
"""

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone

from tongban.accounts import services as accounts
from tongban.accounts.bulk import user_password_set_bulk
from tongban.accounts.models import Staff, User
from tongban.catalog.models import VersionMaterial
from tongban.core.calendar import add_working_days
from tongban.demo.city import DEMO_PASSWORD
from tongban.exchange import access
from tongban.exchange.models import AccessRequest, ConsumerSystem, DataResource, ResourceField
from tongban.org.models import Department

PURPOSE = "办理政务服务事项时由平台代为调取核验，申请人免于提交相应材料"
LEGAL_BASIS = "《国务院关于加快推进全国一体化在线政务服务平台建设的指导意见》（国发〔2018〕27号）"
PENDING_REQUESTS, REFUSED_REQUESTS = 3, 2
GRANT_YEARS = 2


@dataclass
class AccessSeedReport:
    skipped: bool = False
    systems: int = 0
    grants: int = 0
    pending: int = 0
    refused: int = 0
    data_officers: int = 0
    counts: dict = field(default_factory=dict)


def access_seeded(departments: dict[str, Department]) -> bool:
    return ConsumerSystem.objects.filter(department__in=list(departments.values())).exists()


def seed_access(*, departments: dict[str, Department], password: str = DEMO_PASSWORD) -> AccessSeedReport:
    """Systems, grants and a few open requests for the demo city's departments (by key, as
    tongban.demo.city builds them); skipped when the city's departments already have systems."""
    if access_seeded(departments):
        return AccessSeedReport(skipped=True)
    report = AccessSeedReport()
    resources = {r.pk: r for r in DataResource.objects.filter(is_active=True).select_related("provider")}
    wanted = _wanted_fields(resources, departments)
    keys = {department.pk: key for key, department in departments.items()}
    with transaction.atomic():
        providers = {resources[resource_id].provider_id for _, resource_id in wanted}
        officers = _data_officers(departments, keys, {d for d, _ in wanted} | providers, password, report)
        for department_id in sorted({d for d, _ in wanted}):
            department = departments[keys[department_id]]
            access.system_register(
                actor=officers[department_id], department_id=department_id, name=f"{department.short_name}业务审批系统"
            )
            report.systems += 1
        for (department_id, resource_id), names in sorted(wanted.items()):
            _grant(officers, department_id, resources[resource_id], names)
            report.grants += 1
        _open_requests(officers, departments, resources, wanted, password, report)
    return report


def _wanted_fields(resources: dict[int, DataResource], departments) -> dict[tuple[int, int], set[str]]:
    """(handling department, resource) → the fields its items' materials need."""
    by_code = {r.code: r for r in resources.values()}
    by_licence = {r.licence_type_code: r for r in resources.values() if r.licence_type_code}
    fields_of = defaultdict(set)
    for resource_id, name in _resource_fields(resources):
        fields_of[resource_id].add(name)
    city = {department.pk for department in departments.values()}
    wanted: dict[tuple[int, int], set[str]] = defaultdict(set)
    materials = (
        VersionMaterial.objects.filter(source__in=["shared", "licence"], version__item__department_id__in=city)
        .values_list("version__item__department_id", "source", "source_ref")
        .distinct()
    )
    for department_id, source, reference in materials:
        if source == "shared":
            code, _, name = reference.rpartition(".")
            resource = by_code.get(code)
            names = {name} & fields_of[resource.pk] if resource else set()
        else:
            resource = by_licence.get(reference)
            names = fields_of[resource.pk] if resource else set()
        if resource is None or not names or resource.sharing == DataResource.NOT_SHARED:
            continue
        if resource.provider_id != department_id:
            wanted[(department_id, resource.pk)] |= names
    return dict(wanted)


def _resource_fields(resources: dict[int, DataResource]):
    return ResourceField.objects.filter(resource_id__in=list(resources)).values_list("resource_id", "name")


def _data_officers(departments, keys, needed: set[int], password: str, report: AccessSeedReport) -> dict[int, User]:
    """A user holding `data` in each needed department: an existing one, or a new data officer."""
    officers: dict[int, User] = {}
    if not needed:
        return officers
    existing = Staff.objects.filter(department_id__in=needed, posts__code="data").select_related("user")
    for staff in existing.order_by("user__username"):
        officers.setdefault(staff.department_id, staff.user)
    created = []
    for department_id in sorted(needed - set(officers)):
        department = departments[keys[department_id]]
        staff = accounts.staff_create(
            actor=None,
            username=f"{keys[department_id]}.data",
            password=None,
            real_name=f"{department.short_name}数据专员",
            department_id=department_id,
            post_codes=["data"],
            scope_region_code=department.region_id,
            scope_department_ids=[department_id],
            check_password=False,
        )
        officers[department_id] = staff.user
        created.append(staff.user_id)
    if created:
        user_password_set_bulk(user_ids=created, password=password)
    report.data_officers += len(created)
    return officers


def _period() -> tuple[dt.date, dt.date]:
    today = timezone.localdate()
    return today, access.years_later(today, GRANT_YEARS) - dt.timedelta(days=1)


def _ask(officer: User, resource: DataResource, names, *, purpose: str = PURPOSE) -> AccessRequest:
    valid_from, valid_until = _period()
    ordered = [f.name for f in resource.fields.all() if f.name in set(names)]
    return access.access_request(
        actor=officer,
        resource_code=resource.code,
        fields=ordered,
        purpose=purpose,
        legal_basis=LEGAL_BASIS,
        valid_from=valid_from,
        valid_until=valid_until,
        daily_volume=1000,
    )


def _grant(officers, department_id: int, resource: DataResource, names: set[str]) -> None:
    request = _ask(officers[department_id], resource, names)
    if request.status == AccessRequest.PENDING:
        # The reviewer checks the fetched material against the application: the fields standing in
        # for it are released in full, as a provider would grant for 免提交.
        sensitive = [f.name for f in resource.fields.all() if f.name in names and f.sensitivity == "sensitive"]
        access.access_approve(
            actor=officers[resource.provider_id],
            request_id=request.pk,
            unmasked_fields=sensitive,
            reason="用于政务服务事项材料免提交，同意共享",
        )


def _open_requests(officers, departments, resources, wanted, password, report: AccessSeedReport) -> None:
    """Pending and refused requests by departments for conditional resources they lack; the first
    pending one is back-dated past its due date, so the overdue sweep flags it to supervisors."""
    conditional = sorted((r for r in resources.values() if r.sharing == DataResource.CONDITIONAL), key=lambda r: r.code)
    candidates = [
        (department, resource)
        for resource in conditional
        for key, department in sorted(departments.items())
        if "." not in key  # city departments only: a short, readable list
        and department.pk != resource.provider_id
        and (department.pk, resource.pk) not in wanted
    ]
    chosen = candidates[:: max(1, len(candidates) // (PENDING_REQUESTS + REFUSED_REQUESTS))]
    chosen = chosen[: PENDING_REQUESTS + REFUSED_REQUESTS]
    keys = {department.pk: key for key, department in departments.items()}
    needed = {department.pk for department, _ in chosen} | {resource.provider_id for _, resource in chosen}
    officers.update(_data_officers(departments, keys, needed - set(officers), password, report))
    for index, (department, resource) in enumerate(chosen):
        names = [f.name for f in resource.fields.all()][:3]
        request = _ask(officers[department.pk], resource, names, purpose="开展行政执法核查时核验当事人相关信息")
        if index < PENDING_REQUESTS:
            report.pending += 1
            if index == 0:
                _back_date(request, working_days=4)
        else:
            access.access_refuse(
                actor=officers[resource.provider_id],
                request_id=request.pk,
                reason="申请字段超出执法核查所需范围，请按最小必要原则调整后重新申请",
            )
            report.refused += 1


def _back_date(request: AccessRequest, *, working_days: int) -> None:
    """A request made some working days ago whose 2-day limit has passed (demo data only)."""
    day = timezone.localdate()
    requested_on = day - dt.timedelta(days=working_days * 2)
    due_on = add_working_days(requested_on, access.DECISION_WORKING_DAYS)
    if due_on >= day:
        return
    requested_at = timezone.now() - (day - requested_on)
    AccessRequest.objects.filter(pk=request.pk).update(requested_at=requested_at, due_on=due_on)
