"""The demo's data-exchange catalogue and licence library build on a small city: every resource
passes the catalogue's own checks, and every seeded licence carries a seal that verifies."""

import pytest
from django.db import transaction

from tongban.cases import results
from tongban.catalog.models import ItemVersion
from tongban.demo.city import Scale, city_build
from tongban.demo.exchange import RESOURCES, exchange_build
from tongban.demo.licences import seed_licences
from tongban.exchange.models import DataResource
from tongban.licences.models import Licence, LicenceType
from tongban.licences.seal import seal_verify

pytestmark = pytest.mark.django_db
TEST_SCALE = Scale(persons=200, legal_persons=20)


@pytest.fixture(scope="module")
def built(django_db_setup, django_db_blocker):
    """One small city with its exchange catalogue and licences for the module, rolled back at its end."""
    with django_db_blocker.unblock(), transaction.atomic():
        city_build(scale=TEST_SCALE, say=lambda line: None)
        counts = exchange_build(say=lambda line: None)
        report = seed_licences()
        yield counts, report
        transaction.set_rollback(True)


def test_every_demo_resource_is_registered_through_the_catalogue_checks(built):
    counts, _ = built
    assert counts["resources"] == len(RESOURCES) == DataResource.objects.count()


def test_the_licence_library_is_served_by_identifier_and_by_either_holder_key(built):
    kinds = set(DataResource.objects.filter(served_by=DataResource.LICENCES).values_list("key_kind", flat=True))
    assert kinds == {"licence", "id_number", "uscc"}


def test_every_seeded_licence_has_a_layout_and_a_seal_that_verifies(built):
    _, report = built
    licences = list(Licence.objects.select_related("type"))
    assert report.licences == len(licences) > 0
    assert all(licence.type.template for licence in licences)
    assert all(seal_verify(licence) for licence in licences[:50])


def test_every_item_promising_an_e_licence_can_be_applied_for_by_its_holder(built):
    """Each demo item whose result is an e-licence: where the library has its type, the item's
    audience admits the holder the licence goes to (a citizen for a person's licence, an
    enterprise for a legal person's); the rest (registrations, types it lacks) promise none."""
    versions = list(ItemVersion.objects.filter(status=ItemVersion.PUBLISHED, result_type="licence"))
    promised = {v.pk: results.result_promise(version=v) for v in versions}
    assert sum(1 for p in promised.values() if p) > 0
    for version in versions:
        promise = promised[version.pk]
        known = LicenceType.objects.filter(short_code=version.result_licence_type).first()
        if promise is None:
            assert known is None or known.registers_holder, version.name
        elif promise.holder == results.LEGAL_PERSON:
            assert version.for_legal_persons, version.name
        else:
            assert version.for_persons, version.name
