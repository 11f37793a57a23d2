"""Concurrency on PostgreSQL: real threads, each on its own connection, committing for real.

Transactional tests end by emptying every table, the rows the migrations seed (posts, the holiday
calendar, themes …) included; the module puts those back when it is done, so later tests in the
same session still find them (`serialized_rollback` makes pytest-django keep a copy)."""

import re
import threading

import pytest
from django.db import connection, connections

from tongban.accounts.tests.factories import UserFactory
from tongban.cases import services
from tongban.cases.models import Case
from tongban.cases.tests.factories import ANSWERS, Crew, case_item, pdf_bytes, submitted_case
from tongban.core.errors import Conflict

pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        # SQLite serialises every writer, so racing clerks cannot happen there; .ci/run's
        # PostgreSQL pass runs these.
        reason="row locks under parallel writers need PostgreSQL (run by .ci/run's PostgreSQL pass)",
    ),
]


@pytest.fixture(scope="module", autouse=True)
def _seeded_rows_restored(django_db_blocker):
    yield
    with django_db_blocker.unblock():
        serialized = getattr(connection, "_test_serialized_contents", None)
        if serialized:
            connection.creation.deserialize_db_from_string(serialized)


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


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


def test_two_clerks_accepting_the_same_case_at_once_one_wins_the_other_gets_conflict():
    version = case_item()
    crew = Crew(version.item.department)
    second_clerk = Crew(version.item.department).accept
    case = submitted_case(version)
    clerks = [crew.accept, second_clerk]

    results = run_together(
        lambda i: services.case_accept(actor=clerks[i], case_id=case.pk, expected_revision=case.revision), 2
    )

    accepted = [r for r in results if isinstance(r, Case)]
    refused = [r for r in results if isinstance(r, Conflict)]
    assert len(accepted) == 1 and len(refused) == 1, results
    assert refused[0].code == "case_changed"
    fresh = Case.objects.get(pk=case.pk)
    assert (fresh.status, fresh.revision) == (Case.HANDLING, case.revision + 1)
    assert list(fresh.history.values_list("act", flat=True)) == ["submit", "accept", "start"]


def test_twenty_submissions_of_one_item_on_one_day_get_twenty_distinct_sequences():
    version = case_item()
    users = [UserFactory() for _ in range(20)]

    def apply(index: int) -> Case:
        user = users[index]
        return services.case_apply(
            actor=user,
            item_id=version.item_id,
            answers={"name": user.person.real_name, "id_number": user.person.id_number, **ANSWERS},
            uploads=[
                services.Upload(material_id=None, standard_code=code, name=f"{code}.pdf", content=pdf_bytes())
                for code in ("M-居民身份证", "M-经营场所证明")
            ],
        )

    results = run_together(apply, 20)

    errors = [r for r in results if not isinstance(r, Case)]
    assert not errors, errors
    numbers = set(Case.objects.values_list("number", flat=True))
    assert len(numbers) == 20
    prefix = {number[:-4] for number in numbers}
    assert len(prefix) == 1 and re.fullmatch(r"\d{26}", prefix.pop())
    assert sorted(int(number[-4:]) for number in numbers) == list(range(1, 21))
