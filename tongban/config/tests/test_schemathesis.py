"""Schemathesis over the whole OpenAPI document, as four callers: a citizen, a reviewer, a
supervisor and a department system's API key. Every operation gets a bounded number of generated
requests, valid and invalid ones, half of whose identifiers (in the path, the query and the body)
name the seeded objects so that they get past "not found". Every answer must be no server error
and conform to the document: status code, content type, headers and body schema.

The document is read from the running application (/api/v1/openapi.json), served in process over
WSGI: requests share the test's database connection and transaction, so they see the seeded world
and what they write is rolled back with the test (a transactional test would also empty the
tables that migrations seed). Generation is derandomised and Hypothesis keeps no example
database, so CI sends the same requests every run. One test per caller; each operation is a
subtest, so one failing operation does not hide the others."""

import collections
import datetime as dt
import traceback

import pytest
import schemathesis
from django.core.signals import got_request_exception, request_finished, request_started
from django.db import close_old_connections
from django.middleware.csrf import _get_new_csrf_string
from django.test import Client
from hypothesis import HealthCheck, Phase, given, settings, strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tongban.accounts.tests.factories import UserFactory, staff_in
from tongban.cases import services as case_services
from tongban.cases.models import Case
from tongban.cases.tests.factories import Crew, case_item, draft_case, submitted_case
from tongban.exchange import access
from tongban.exchange.auth import api_key_new
from tongban.exchange.models import ApiKey, DataResource
from tongban.exchange.tests.factories import ConsumerSystemFactory, grant, record, resource_with_fields
from tongban.licences import wallet
from tongban.licences.models import LicenceImport
from tongban.licences.tests.factories import issued_licence, licence_type
from tongban.org.tests.factories import DepartmentFactory, region_tree

pytestmark = pytest.mark.django_db

EXAMPLES_PER_OPERATION = 20
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]
SETTINGS = settings(
    max_examples=EXAMPLES_PER_OPERATION,
    deadline=None,
    derandomize=True,
    database=None,
    phases=[Phase.explicit, Phase.generate],  # a failure is reported as found, not shrunk
    suppress_health_check=list(HealthCheck),
)
# Fields of queries and bodies that name an object, and the seeded values they may take.
NAMES = {
    "item_id": "item_id",
    "department_id": "department_id",
    "issuer_department_id": "department_id",
    "provider_id": "department_id",
    "department": "department_id",
    "person_id": "person_id",
    "holder_person_id": "person_id",
    "resource": "code",
    "type_code": "type_code",
    "case_number": "number",
    "fields": "fields",
    "keys": "keys",
}


@pytest.fixture
def world(settings, tmp_path):
    """A district department's item, crew and licence type; a citizen with cases in four states,
    their files, a licence and its authorisation; a city-wide supervisor; a consumer system with
    a key, a grant, an access request; a finished licence import."""
    settings.MEDIA_ROOT = tmp_path
    today = dt.date.today()
    department = DepartmentFactory(region=region_tree()["341902000000"])
    version = case_item(department)
    crew = Crew(department)
    citizen = UserFactory()
    draft = draft_case(version, citizen)
    received = submitted_case(version, citizen)
    handling = case_services.case_accept(actor=crew.accept, case_id=submitted_case(version, citizen).pk)
    correction = submitted_case(version, citizen)
    case_services.case_correction_request(
        actor=crew.accept,
        case_id=correction.pk,
        items=[case_services.CorrectionItem(reason="照片模糊", material_id=correction.materials.first().pk)],
    )
    cases = list(Case.objects.filter(pk__in=[draft.pk, received.pk, handling.pk, correction.pk]))
    kind = licence_type(department=department)
    licence = issued_licence(licence_type_obj=kind, holder=citizen.person)
    authorisation = wallet.licence_authorise(
        actor=citizen,
        licence_id=licence.pk,
        department_id=department.pk,
        purpose="办理业务核验身份",
        valid_until=today + dt.timedelta(days=30),
    )
    batch = LicenceImport.objects.create(
        department=department,
        filename="存量证照.csv",
        status=LicenceImport.DONE,
        total_rows=2,
        processed_rows=2,
        imported=1,
        rejected=1,
        rejections=[{"row": 3, "reasons": ["证件号码校验位错误"]}],
        started_by=crew.issue,
    )
    supervisor = staff_in("341900000000", "supervise").user

    resource = resource_with_fields(provider=department, sharing=DataResource.UNCONDITIONAL)
    record(resource, citizen.person.id_number, id_number=citizen.person.id_number, status="已婚")
    conditional = resource_with_fields(provider=DepartmentFactory())
    system = ConsumerSystemFactory(department=department)
    grant(resource, department, fields=["id_number", "status"], system=system)
    key, prefix, digest = api_key_new()
    ApiKey.objects.create(system=system, prefix=prefix, secret_hash=digest)
    asked = access.access_request(
        actor=None,
        via_system=system,
        resource_code=conditional.code,
        fields=["status"],
        purpose="核验婚姻状况",
        legal_basis="《婚姻登记条例》",
        valid_from=today,
        valid_until=today + dt.timedelta(days=300),
        daily_volume=10,
    )

    materials = [(case.number, m.pk) for case in cases for m in case.materials.all() if case.number]
    files = [(case.number, f.pk) for case in cases for m in case.materials.all() for f in m.files.all()]
    return {
        "users": {"citizen": citizen, "reviewer": crew.review, "supervisor": supervisor},
        "key": key,
        "pairs": {("number", "material_id"): materials, ("number", "file_id"): files},
        "values": {
            "number": [case.number for case in cases if case.number],
            "person_id": [citizen.person.pk],
            "item_id": [version.item_id],
            "department_id": [department.pk],
            "licence_id": [licence.pk],
            "identifier": [licence.identifier],
            "authorisation_id": [authorisation.pk],
            "batch_id": [batch.pk],
            "request_id": [asked.pk],
            "code": [resource.code],
            "resource_code": [resource.code],
            "type_code": [kind.short_code],
            "key": [citizen.person.id_number],
            "keys": [[citizen.person.id_number]],
            "fields": [["id_number", "status"]],
            "year": [today.year],
        },
    }


@pytest.fixture(params=["citizen", "reviewer", "supervisor", "api_key"])
def identity(request, world) -> dict:
    """The headers and cookies a caller sends: a session and its CSRF token, or an API key."""
    if request.param == "api_key":
        return {"headers": {"X-Api-Key": world["key"]}, "cookies": {}}
    client = Client()
    client.force_login(world["users"][request.param])
    token = _get_new_csrf_string()
    return {
        "headers": {"X-CSRFToken": token},
        "cookies": {"sessionid": client.cookies["sessionid"].value, "csrftoken": token},
    }


def _seeded(values: dict, generated, names: dict):
    """`generated`, or half the time the same with its identifiers replaced by seeded ones."""
    if not isinstance(generated, dict):
        return st.just(generated)
    real = {field: st.sampled_from(values[name]) for field, name in names.items() if field in generated}
    if not real:
        return st.just(generated)
    return st.one_of(st.just(generated), st.fixed_dictionaries(real).map(lambda seeded: {**generated, **seeded}))


@pytest.fixture
def api_schema(world):
    from tongban.config.wsgi import application

    loaded = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application)
    # The callers' credentials are the identities' own: no generated X-Api-Key or session cookie.
    loaded.config.generation.update(with_security_parameters=False)
    values, pairs = world["values"], world["pairs"]

    @loaded.hook
    def flatmap_path_parameters(context, path_parameters):
        present = set(path_parameters or ())
        paired = [(names, rows) for names, rows in pairs.items() if set(names) <= present]
        alone = {name: name for name in present - {n for names, _ in paired for n in names} if name in values}
        strategy = _seeded(values, path_parameters, alone)
        for (first, second), rows in paired:  # a file of that case, not any case's file
            strategy = strategy.flatmap(
                lambda p, rows=rows, first=first, second=second: st.one_of(
                    st.just(p), st.sampled_from(rows).map(lambda row: {**p, first: row[0], second: row[1]})
                )
            )
        return strategy

    @loaded.hook
    def flatmap_query(context, query):
        return _seeded(values, query, {field: name for field, name in NAMES.items() if name in values})

    @loaded.hook
    def flatmap_body(context, body):
        return _seeded(values, body, {field: name for field, name in NAMES.items() if name in values})

    @loaded.hook
    def flatmap_case(context, case):
        """An act on a seeded case mostly expects the revision the case has now."""
        number = (case.path_parameters or {}).get("number")
        if not isinstance(case.body, dict) or "expected_revision" not in case.body or number not in values["number"]:
            return st.just(case)

        def current(case):
            case.body = {**case.body, "expected_revision": Case.objects.get(number=number).revision}
            return case

        return st.sampled_from([False, True, True]).map(lambda now: current(case) if now else case)

    return loaded


@pytest.fixture(autouse=True)
def _connection_kept():
    """Django closes the database connection at the end of each request; the test client stops
    that, and so must this in-process WSGI caller, or the test's transaction would go with it."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def server_errors():
    """The traceback of every exception a request raised (Django answers them 500)."""
    seen = []

    def record_it(sender, request=None, **kwargs):
        seen.append(traceback.format_exc())

    got_request_exception.connect(record_it)
    yield seen
    got_request_exception.disconnect(record_it)


def _strategy(operation):
    """Valid requests and invalid ones, of every kind schemathesis makes for the operation."""
    return st.one_of(operation.as_strategy(GenerationMode.POSITIVE), operation.as_strategy(GenerationMode.NEGATIVE))


def _conformance(operation, identity, server_errors, answered):
    """The Hypothesis test of one operation as one caller."""

    @SETTINGS
    @given(case=_strategy(operation))
    def conforms(case):
        response = case.call(headers=identity["headers"], cookies=identity["cookies"])
        answered[operation.label][response.status_code] += 1
        if server_errors:
            raise AssertionError(f"{case.as_curl_command()}\n{server_errors.pop()}")
        case.validate_response(response, checks=CHECKS)

    return conforms


def test_every_operation_conforms_for_every_caller(api_schema, identity, server_errors, subtests, capsys):
    answered = collections.defaultdict(collections.Counter)
    for result in api_schema.get_all_operations():
        operation = result.ok()
        conforms = _conformance(operation, identity, server_errors, answered)
        with subtests.test(msg=operation.label):
            conforms()
    with capsys.disabled():  # what the callers got, for the CI log (-s not needed)
        total = sum(sum(statuses.values()) for statuses in answered.values())
        print(f"\n{total} requests over {len(answered)} operations")
        for label, statuses in answered.items():
            print(f"  {label}: {dict(sorted(statuses.items()))}")
