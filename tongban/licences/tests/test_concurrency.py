"""Concurrency on PostgreSQL: real threads, each on its own connection, committing for real."""

import threading

import pytest
from django.db import connection, connections

from tongban.accounts.tests.factories import PersonFactory
from tongban.core.errors import Conflict
from tongban.licences import services
from tongban.licences.models import Licence
from tongban.licences.tests.factories import issued_licence, issuer_officer, licence_type, person_data

pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="parallel writers need PostgreSQL (SQLite serialises every writer); run by .ci/run's PostgreSQL pass",
    ),
]


@pytest.fixture(scope="module", autouse=True)
def _seeded_rows_restored(django_db_blocker):
    yield
    with django_db_blocker.unblock():
        serialized = getattr(connection, "_test_serialized_contents", None)
        if serialized:
            connection.creation.deserialize_db_from_string(serialized)


def run_together(work, count: int) -> list:
    results: list = [None] * count
    start = threading.Barrier(count)

    def thread(index: int) -> None:
        try:
            start.wait(timeout=30)
            results[index] = work(index)
        except Exception as error:  # reported to the test, not swallowed
            results[index] = error
        finally:
            connections.close_all()

    threads = [threading.Thread(target=thread, args=(i,)) for i in range(count)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    return results


def test_parallel_issuances_never_share_a_serial():
    kind = licence_type()
    officer = issuer_officer(kind.defining_department)
    holders = [PersonFactory() for _ in range(8)]

    def issue(i):
        return services.licence_issue(
            actor=officer,
            type_code=kind.code,
            data=person_data(),
            issuer_department_id=kind.defining_department_id,
            holder_person_id=holders[i].pk,
        ).serial

    serials = run_together(issue, 8)
    assert sorted(serials) == [f"{n:08d}" for n in range(1, 9)]


def test_two_officers_ending_the_same_licence_at_once_one_wins():
    licence = issued_licence()
    officers = [issuer_officer(licence.issuer), issuer_officer(licence.issuer)]
    acts = [services.licence_revoke, services.licence_cancel]
    results = run_together(lambda i: acts[i](actor=officers[i], licence_id=licence.pk, reason="并发处理"), 2)
    assert sum(isinstance(result, Licence) for result in results) == 1
    assert sum(isinstance(result, Conflict) for result in results) == 1
    assert Licence.objects.get(pk=licence.pk).history.count() == 2
