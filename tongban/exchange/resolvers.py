"""免提交: materials the platform fetches from shared data instead of asking the applicant.

Two resolvers for cases' material sources (tongban.cases.sources), registered when the app loads:
- `shared`: the catalogue material names a field of a resource, `source_ref = "<resource code>.<field>"`;
- `licence`: the material is an e-licence type and a resource holds that licence's data
  (`DataResource.licence_type_code == source_ref`), e.g. the legal-entity base for 营业执照.

The lookup goes through the governed interface like any other: as the case's handling department,
for every field its grant covers, masked as the grant masks — that snapshot is what the case
keeps — with purpose "办件免提交：<item>·<material>" (the case number is given only when the
submission succeeds), so the applicant sees it on "who looked at my data". No record → None (the
applicant uploads). No grant, or the material's
field not granted → PermissionDenied; provider down → Unavailable: cases tells the applicant why
and asks them to upload; the submission never hangs on a provider (timeouts and the breaker).
"""

import logging

from django.utils import timezone

from tongban.accounts import selectors as accounts
from tongban.accounts.types import Actor
from tongban.cases.sources import Evidence, material_source_register
from tongban.core.errors import PermissionDenied, Unavailable
from tongban.exchange import access
from tongban.exchange.models import DataResource
from tongban.exchange.query import Caller, OverQuota, exchange_lookup

log = logging.getLogger(__name__)


def shared_resolve(*, case, material, actor: Actor) -> Evidence | None:
    code, _, field_name = (material.source_ref or "").partition(".")
    resource = _resource(code=code.strip()) if code.strip() else None
    if resource is None or (field_name and not resource.fields.filter(name=field_name).exists()):
        return None  # the catalogue points at data the exchange does not have: the applicant uploads
    return _resolve(case=case, material=material, actor=actor, resource=resource, field_name=field_name)


def licence_resolve(*, case, material, actor: Actor) -> Evidence | None:
    resource = _resource(licence_type_code=material.source_ref) if material.source_ref else None
    if resource is None:
        return None
    return _resolve(case=case, material=material, actor=actor, resource=resource, field_name="")


def _resource(**where) -> DataResource | None:
    return (
        DataResource.objects.select_related("provider")
        .filter(is_active=True, **where)
        .exclude(sharing=DataResource.NOT_SHARED)
        .order_by("code")
        .first()
    )


def _resolve(*, case, material, actor: Actor, resource: DataResource, field_name: str) -> Evidence | None:
    key = _applicant_key(case, resource)
    if key is None:
        return None  # e.g. a credit-code resource for an applicant who is a person
    fields = _fields_to_ask(case, resource, field_name)
    try:
        result = exchange_lookup(
            caller=Caller(
                department_id=case.department_id,
                system_id=None,
                staff_user_id=actor.pk if actor is not None and accounts.staff_of(actor) is not None else None,
                region_code=case.region_code,
            ),
            resource_code=resource.code,
            keys=[key],
            fields=fields,
            # The number is given when the submission succeeds; the item names the application.
            purpose=f"办件免提交：{case.item_name}·{material.name}"[:300],
            case_number=case.number or "",
        )
    except (PermissionDenied, OverQuota) as error:  # told to the applicant: say what to do
        raise PermissionDenied(
            f"暂时无法从“{resource.name}”为您调取“{material.name}”，请上传该材料。", code=error.code
        ) from error
    except Unavailable as error:
        raise Unavailable(
            f"“{resource.name}”的提供部门接口暂不可用，无法为您调取“{material.name}”，请上传该材料。",
            code="provider_down",
        ) from error
    (answer,) = result.results
    if not answer.found or (field_name and answer.record.get(field_name) in (None, "")):
        return None
    labels = {spec.name: spec.label for spec in resource.fields.all()}
    return Evidence(
        provided="shared",
        reference=f"{resource.code}:{answer.key_masked}",
        source=f"{resource.provider.name}·{resource.name}",
        snapshot={labels.get(name, name): value for name, value in answer.record.items()},
        verified=True,
    )


def _applicant_key(case, resource: DataResource) -> str | None:
    if resource.key_kind == "id_number":
        return accounts.person_by_id(case.person_id).id_number
    if resource.key_kind != "uscc":
        return None
    if case.legal_person_id:
        return accounts.legal_person_by_id(case.legal_person_id).uscc
    enterprise = accounts.sole_legal_person_of(case.person_id)
    return enterprise.uscc if enterprise else None


def _fields_to_ask(case, resource: DataResource, field_name: str) -> list[str]:
    """Every field the department is granted (the snapshot keeps what it may see), plus the
    material's own field if the grant lacks it — so that the refusal names it and is logged."""
    grant = access.grant_for(
        department_id=case.department_id, system_id=None, resource_id=resource.pk, today=timezone.localdate()
    )
    if grant is None:
        # Ask anyway: the interface refuses (not_granted), and the refusal is on record.
        return [field_name] if field_name else [spec.name for spec in resource.fields.all()][:1]
    fields = list(grant.fields)
    if field_name and field_name not in fields:
        fields.append(field_name)
    if not fields:
        raise PermissionDenied(f"本部门对“{resource.name}”的授权不含任何字段，请上传材料。", code="field_not_granted")
    return fields


material_source_register("shared", shared_resolve)
material_source_register("licence", licence_resolve)
