"""Concurrency on PostgreSQL (tongban.core.tests.racing): parallel issuing and acting on licences."""

import pytest
from django.core.files.base import ContentFile

from tongban.accounts.tests.factories import PersonFactory
from tongban.core.errors import Conflict
from tongban.core.tests.racing import RACING, run_together, seeded_rows_restored  # noqa: F401 - fixture
from tongban.licences import imports, services
from tongban.licences.models import Licence, LicenceImport
from tongban.licences.tests.factories import issued_licence, issuer_officer, licence_type, person_data

pytestmark = [*RACING, pytest.mark.usefixtures("seeded_rows_restored")]


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


def test_two_batches_importing_the_same_row_at_once_issue_it_once(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    kind = licence_type(name="结婚证", validity_years=5)
    officer = issuer_officer(kind.defining_department)
    row = f"{kind.short_code},{PersonFactory().id_number},2020-01-01,,李四,2020-01-01"
    text = "type_code,holder_id,issued_on,valid_until,spouse_name,registered_on\n" + row + "\n"
    batches = []
    for _ in range(2):
        batch = LicenceImport(department=kind.defining_department, filename="存量.csv", started_by=officer)
        batch.file.save("存量.csv", ContentFile(text.encode()), save=True)
        batches.append(batch)

    run_together(lambda i: imports.licence_import_run(batches[i].pk, issue_row=services.licence_import_row), 2)
    done = LicenceImport.objects.filter(pk__in=[b.pk for b in batches])
    assert sorted(done.values_list("imported", "rejected")) == [(0, 1), (1, 0)]
    assert Licence.objects.filter(type=kind).count() == 1
