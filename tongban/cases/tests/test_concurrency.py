"""Concurrency on PostgreSQL (tongban.core.tests.racing): clerks and applicants racing for real."""

import re

import pytest

from tongban.accounts.tests.factories import UserFactory
from tongban.cases import services
from tongban.cases.models import Case
from tongban.cases.tests.factories import ANSWERS, Crew, case_item, pdf_bytes, submitted_case
from tongban.core.errors import Conflict
from tongban.core.tests.racing import RACING, run_together, seeded_rows_restored  # noqa: F401 - fixture

pytestmark = [*RACING, pytest.mark.usefixtures("seeded_rows_restored")]


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


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
                services.Upload(standard_code=code, name=f"{code}.pdf", content=pdf_bytes())
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


def test_a_clerk_starting_one_walk_in_twice_at_once_gets_one_draft():
    version = case_item()
    clerk = Crew(version.item.department).accept
    walk_in = UserFactory().person

    results = run_together(
        lambda i: services.case_draft_start(
            actor=clerk, item_id=version.item_id, person_id=walk_in.pk, channel=Case.WINDOW
        ),
        2,
    )

    assert all(isinstance(r, Case) for r in results), results
    assert results[0].pk == results[1].pk
    assert Case.objects.filter(person=walk_in, status=Case.DRAFT).count() == 1
