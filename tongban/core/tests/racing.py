"""Races on PostgreSQL: real threads, each on its own connection, committing for real. Shared by
every context's concurrency tests.

SQLite serialises every writer, so racing writers cannot happen there: these tests skip on SQLite
and run in .ci/run's PostgreSQL pass. Transactional tests end by emptying every table, the rows the
migrations seed (posts, the holiday calendar …) included; `seeded_rows_restored` puts them back
(`serialized_rollback` makes pytest-django keep a copy) so later tests still find them."""

import threading

import pytest
from django.db import connection, connections


def postgres_only(reason: str):
    """Skip on SQLite what only PostgreSQL can show; `.ci/run`'s PostgreSQL pass runs it."""
    return pytest.mark.skipif(connection.vendor != "postgresql", reason=f"{reason} (run by .ci/run's PostgreSQL pass)")


POSTGRES_ONLY = postgres_only("row locks under parallel writers need PostgreSQL")
RACING = [pytest.mark.django_db(transaction=True, serialized_rollback=True), POSTGRES_ONLY]


@pytest.fixture
def seeded_rows_restored(django_db_blocker):
    yield
    with django_db_blocker.unblock():
        serialized = getattr(connection, "_test_serialized_contents", None)
        if serialized:
            connection.creation.deserialize_db_from_string(serialized)


def run_together(work, count: int) -> list:
    """Run work(i) in `count` threads released at the same instant; returns each result or error."""
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
