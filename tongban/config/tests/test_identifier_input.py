"""Any Unicode in any identifier field, on a page or over the API, is answered without a server
error and writes nothing; two spellings of one number are never two people."""

import pytest
from django.test import Client
from hypothesis import HealthCheck, given, settings, strategies as st

from tongban.accounts.models import LegalPerson, Mandate, Person, User
from tongban.accounts.tests.factories import PASSWORD, UserFactory
from tongban.cases.tests.factories import officer
from tongban.core.errors import Conflict
from tongban.exchange.auth import api_key_new
from tongban.exchange.models import ApiKey
from tongban.exchange.tests.factories import ConsumerSystemFactory, grant, resource_with_fields
from tongban.org.tests.factories import DepartmentFactory

pytestmark = pytest.mark.django_db

# Arbitrary Unicode, and strings that look like identifiers with other scripts' digits mixed in.
LOOKALIKE_DIGITS = "0123456789０１２３４５６７８９²³¹⁰٠١٢٣٤٥٦٧٨٩০১२३߀᠐𝟎𝟙Xx"
identifier_texts = st.one_of(
    st.text(min_size=1, max_size=30),
    st.text(alphabet=LOOKALIKE_DIGITS, min_size=17, max_size=19),
)
EXAMPLES = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


def _signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def world():
    department = DepartmentFactory()
    resource = resource_with_fields(provider=department)
    system = ConsumerSystemFactory(department=department)
    grant(resource, department, fields=["status"], system=system)
    key, prefix, digest = api_key_new()
    ApiKey.objects.create(system=system, prefix=prefix, secret_hash=digest)
    return {
        "citizen": _signed_in(UserFactory()),
        "clerk": _signed_in(officer(department, "accept", "review")),
        "resource": resource,
        "key": key,
    }


def _answers(world, text: str) -> dict[str, int]:
    """The status of every identifier field given `text`: pages and API, as each kind of user."""
    anonymous, citizen, clerk = Client(), world["citizen"], world["clerk"]
    lookup = {"resource": world["resource"].code, "keys": [text], "fields": ["status"], "purpose": "核验身份"}
    signup = {"real_name": "王小明", "id_number": text, "phone": "13912345678", "password": PASSWORD}
    return {
        "sign-up": anonymous.post("/signup/", signup).status_code,
        "log-in": anonymous.post("/login/", {"identifier": text, "password": PASSWORD}).status_code,
        "bind": citizen.post("/me/legal-persons/bind/", {"uscc": text, "name": "某公司"}).status_code,
        "window desk": clerk.post("/workbench/cases/window/", {"who": text}).status_code,
        "case search": clerk.get("/workbench/cases/", {"q": text}).status_code,
        "licence search": clerk.get("/workbench/licences/", {"q": text}).status_code,
        "person search API": clerk.get("/api/v1/accounts/persons", {"q": text}).status_code,
        "lookup API": anonymous.post(
            "/api/v1/exchange/lookup", lookup, content_type="application/json", headers={"X-Api-Key": world["key"]}
        ).status_code,
    }


@EXAMPLES
@given(text=identifier_texts)
def test_any_unicode_in_an_identifier_field_is_answered_without_a_server_error(world, text):
    people, mandates = Person.objects.count(), Mandate.objects.count()
    answers = _answers(world, text)
    assert all(status < 500 for status in answers.values()), answers
    assert (Person.objects.count(), Mandate.objects.count()) == (people, mandates)  # nothing valid was typed


def test_a_full_width_spelling_of_a_registered_id_number_is_the_same_person():
    from tongban.accounts import services

    first = services.person_register(
        real_name="王小明", id_number="11010519491231002X", phone="13912345678", password=PASSWORD
    )
    full_width = "１１０１０５１９４９１２３１００２ｘ"
    with pytest.raises(Conflict) as refused:
        services.person_register(real_name="王小明", id_number=full_width, phone="13912345678", password=PASSWORD)
    assert refused.value.code == "already_registered"
    assert Person.objects.filter(real_name="王小明").count() == 1
    assert services.user_login(request=None, identifier=full_width, password=PASSWORD) == first


@pytest.mark.parametrize("raw", ["11010519491231002²", "١١٠١٠٥١٩٤٩١٢٣١٠٠٢X", "11010519491231002Ⅹ"])
def test_other_scripts_digits_are_refused_with_a_clear_message(client, raw):
    page = client.post(
        "/signup/", {"real_name": "王小明", "id_number": raw, "phone": "13912345678", "password": PASSWORD}
    )
    assert page.status_code < 500
    assert "只能填写数字和字母" in page.content.decode()
    assert not Person.objects.exists() and not LegalPerson.objects.exists()
