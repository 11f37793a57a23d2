"""Personal data at rest: the population base stores ID numbers, phones and addresses as SM4
ciphertext, finds people through blind indexes without any caller changing, refuses lookups the
database cannot answer, and survives a key rotation whose job rewrites every row."""

import datetime as dt

import pytest
from django.core.exceptions import FieldError
from django.core.management import call_command
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext

from tongban.accounts import bulk, selectors, services
from tongban.accounts.models import LegalPerson, Person
from tongban.accounts.tests.factories import LegalPersonFactory, PersonFactory, UserFactory
from tongban.core.field_crypto import field_key_of
from tongban.core.identifiers import make_id_number
from tongban.core.models import FieldKeyRotation
from tongban.core.tests.test_field_crypto import own_key_file  # noqa: F401  (a key file per test)
from tongban.org.tests.factories import region_tree

pytestmark = pytest.mark.django_db


def stored(table: str, column: str, pk: int) -> str:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM {table} WHERE id = %s", [pk])
        return cursor.fetchone()[0]


def test_the_columns_hold_ciphertext_and_the_model_the_values():
    person = PersonFactory(phone="13912345678")
    company = LegalPersonFactory(address="示范市城东区人民路1号")
    raw_id, raw_phone = stored("accounts_person", "id_number", person.pk), stored("accounts_person", "phone", person.pk)
    raw_address = stored("accounts_legalperson", "address", company.pk)
    assert raw_id.startswith("sm4:") and person.id_number not in raw_id
    assert raw_phone.startswith("sm4:") and "13912345678" not in raw_phone
    assert raw_address.startswith("sm4:") and "人民路" not in raw_address
    fresh = Person.objects.get(pk=person.pk)
    assert (fresh.id_number, fresh.phone) == (person.id_number, "13912345678")
    assert LegalPerson.objects.get(pk=company.pk).address == "示范市城东区人民路1号"


def test_lookups_by_id_number_and_phone_go_through_the_indexed_column():
    person = PersonFactory(phone="13912345678")
    user = UserFactory(person=person)
    with CaptureQueriesContext(connection) as queries:
        assert Person.objects.get(id_number=person.id_number) == person
        assert Person.objects.get(id_number__iexact=person.id_number.lower()) == person  # the check letter X folds
        assert list(Person.objects.filter(id_number__in=[person.id_number, "11010519491231002X"])) == [person]
        assert selectors.user_by_identifier(person.id_number) == user  # across the join from User
        assert selectors.user_by_identifier("13912345678") == user
    for query in queries.captured_queries:
        assert "id_number_index" in query["sql"] or "phone_index" in query["sql"], query["sql"]
        assert person.id_number not in query["sql"]


def test_a_lookup_the_database_cannot_answer_is_refused():
    with pytest.raises(FieldError, match="只能按完整值查询"):
        # Spelled as a dict: the django-stubs plugin asks the field for the lookup while checking, and
        # the field's refusal crashes mypy instead of being reported.
        list(Person.objects.filter(**{"id_number__startswith": "3419"}))


def test_two_spellings_of_one_id_number_are_one_person():
    person = PersonFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        Person.objects.create(
            real_name="重复", id_number=person.id_number, birth_date=person.birth_date, sex=person.sex
        )
    upserted = services.person_upsert(real_name=person.real_name, id_number=person.id_number)
    assert upserted == person and Person.objects.count() == 1


def test_bulk_loads_write_ciphertext_and_indexes():
    region_tree()
    number = make_id_number("341902", dt.date(1990, 5, 1), 3, "F")
    rows = [bulk.PersonRow("李四", number, dt.date(1990, 5, 1), "F", "13700000000", "341902001001")]
    assert bulk.person_bulk_create(rows) == 1
    loaded = Person.objects.get(id_number=number)
    assert loaded.phone == "13700000000" and Person.objects.get(phone="13700000000") == loaded
    assert stored("accounts_person", "id_number", loaded.pk).startswith("sm4:")


def test_a_rotation_rewrites_every_row_under_the_new_key_with_progress(django_capture_on_commit_callbacks):
    people = [PersonFactory(phone=f"1390000000{n}") for n in range(3)]
    company = LegalPersonFactory(address="示范市城西区1号")
    with django_capture_on_commit_callbacks(execute=True):
        call_command("keys", "rotate")
    rotation = FieldKeyRotation.objects.get()
    assert (rotation.key_id, rotation.status) == ("k2", "done")
    assert rotation.done == rotation.total >= 4 and rotation.percent == 100
    for person in people:
        assert field_key_of(stored("accounts_person", "id_number", person.pk)) == "k2"
        assert field_key_of(stored("accounts_person", "phone", person.pk)) == "k2"
        assert Person.objects.get(id_number=person.id_number).phone == person.phone  # indexes unchanged
    assert field_key_of(stored("accounts_legalperson", "address", company.pk)) == "k2"
    assert LegalPerson.objects.get(pk=company.pk).address == "示范市城西区1号"


def test_a_value_saved_alone_saves_its_index_too():
    person = PersonFactory(phone="")
    person.phone = "13655556666"
    person.save(update_fields=["phone"])  # as sign-up does for a person the population base had without one
    assert Person.objects.get(phone="13655556666") == person


def test_signing_up_a_known_person_without_a_phone_lets_them_log_in_by_it():
    person = PersonFactory(phone="")
    user = services.person_register(
        real_name=person.real_name, id_number=person.id_number, phone="13677778888", password="Str0ng#Pass2026"
    )
    assert selectors.user_by_identifier("13677778888") == user
