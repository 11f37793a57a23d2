"""Issuance when a case completes (办结): an item whose result is an e-licence type gets its licence
from the case — the holder is the applicant (the enterprise for a legal-person type), the issuer
the case's department, the data the licence type's fields filled from what the issuing officer
entered, then the application's answers, then the holder's registered facts. Runs inside the
completion's transaction (cases.results): a refusal (a required field missing, an issuer not
registered for the type) stops the completion with its message, and nothing is half-issued.
"""

from tongban.accounts import selectors as accounts
from tongban.accounts.types import Actor
from tongban.cases.results import LEGAL_PERSON, PERSON, ResultField, ResultPromise, result_producer_register
from tongban.licences import selectors, services
from tongban.licences.models import LicenceType


def case_licence_issue(*, case, version, actor: Actor, data: dict) -> str | None:
    licence_type = _promised_type(version)
    if licence_type is None:
        return None  # the case keeps a document
    holder = _holder(case, licence_type)
    licence = services.licence_issue(
        actor=actor,
        type_code=licence_type.short_code,
        data=licence_data_for_case(case, licence_type, entered=data),
        issuer_department_id=case.department_id,
        case_number=case.number or "",
        **holder,
    )
    return licence.identifier


def case_licence_fields(*, case, version) -> list[ResultField]:
    """The licence's fields with what the case already fills: the issuing officer's preview."""
    licence_type = _promised_type(version)
    if licence_type is None:
        return []
    filled = licence_data_for_case(case, licence_type)
    return [
        ResultField(spec["name"], spec["label"], spec["type"], bool(spec.get("required")), filled.get(spec["name"]))
        for spec in licence_type.fields
    ]


def licence_data_for_case(case, licence_type: LicenceType, *, entered: dict | None = None) -> dict:
    """The type's fields as far as the officer's entries, the answers and the holder's facts fill
    them (the preview shows the same, with what is still missing)."""
    facts = _holder_facts(case, licence_type)
    sources = (entered or {}, case.answers or {}, facts)
    data = {}
    for spec in licence_type.fields:
        value = next((source[spec["name"]] for source in sources if source.get(spec["name"]) not in (None, "")), None)
        if value is not None:
            data[spec["name"]] = value
    return data


def case_licence_promise(*, version) -> ResultPromise | None:
    """The e-licence completing a case of this item issues, and its holder: the applicant, as a
    person or as the enterprise (个体工商户) the licence is for. None for an item whose result the
    library has no type for, and for a registration (营业执照): its founders apply, and the licence
    is the new entity's, issued once the legal-entity register holds it, not from this case."""
    licence_type = _promised_type(version)
    if licence_type is None:
        return None
    holder = LEGAL_PERSON if licence_type.holder_kind == LicenceType.LEGAL else PERSON
    return ResultPromise(licence_name=licence_type.name, holder=holder)


def _promised_type(version) -> LicenceType | None:
    licence_type = selectors.licence_type_for_catalogue(version.result_licence_type)
    if licence_type is None or licence_type.registers_holder:
        return None
    return licence_type


def _holder(case, licence_type: LicenceType) -> dict:
    if licence_type.holder_kind == LicenceType.NATURAL:
        return {"holder_person_id": case.person_id}
    return {"holder_legal_person_id": case.legal_person_id}


def _holder_facts(case, licence_type: LicenceType) -> dict:
    if licence_type.holder_kind == LicenceType.LEGAL and case.legal_person_id:
        legal = accounts.legal_person_by_id(case.legal_person_id)
        return {
            "name": legal.name,
            "operator": legal.name,
            "uscc": legal.uscc,
            "address": legal.address,
            "legal_representative": legal.legal_representative.real_name if legal.legal_representative_id else "",
            "established_on": legal.established_on.isoformat() if legal.established_on else "",
        }
    person = accounts.person_by_id(case.person_id)
    return {
        "name": person.real_name,
        "holder_name": person.real_name,
        "sex": person.get_sex_display(),
        "birth_date": person.birth_date.isoformat(),
    }


result_producer_register("licence", case_licence_issue, case_licence_fields, case_licence_promise)
