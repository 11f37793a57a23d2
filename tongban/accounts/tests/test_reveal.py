"""Revealing a person's full data: grounds from the configured purposes, a per-staff hourly limit,
and an alert to supervision on a burst (the case grounds are tested with cases)."""

import pytest

from tongban.accounts import services
from tongban.accounts.tests.factories import PersonFactory, staff_in
from tongban.core.errors import Throttled, ValidationFailed
from tongban.core.models import AuditEntry, OutboxEvent
from tongban.notifications.models import Notification

pytestmark = pytest.mark.django_db

GROUNDS = {"basis": "purpose", "reference": "court_inquiry", "note": "协查通知书12号"}


def reveal(staff, person, **grounds):
    return services.person_reveal(actor=staff.user, person_id=person.pk, field="phone", **{**GROUNDS, **grounds})


@pytest.mark.parametrize(
    ("grounds", "code"),
    [
        ({"basis": "purpose", "reference": "curiosity"}, "reveal_purpose_unknown"),
        ({"basis": "purpose", "note": "   "}, "reveal_note_required"),
        ({"basis": "hunch"}, "reveal_basis_unknown"),
        ({"basis": "case", "reference": ""}, "reveal_reference_required"),
        ({"basis": "case", "reference": "341902202612070000010001"}, "reveal_grounds_refused"),
    ],
)
def test_a_reveal_without_checkable_grounds_is_refused_and_reveals_nothing(grounds, code):
    clerk = staff_in("341902000000", "window")
    with pytest.raises(ValidationFailed) as refused:
        reveal(clerk, PersonFactory(), **grounds)
    assert refused.value.code == code
    assert not AuditEntry.objects.filter(action="person.reveal").exists()


def test_the_purposes_are_the_configured_list(settings):
    settings.TONGBAN_REVEAL_PURPOSES = {"tax_audit": "税务稽查"}
    clerk = staff_in("341902000000", "window")
    with pytest.raises(ValidationFailed):
        reveal(clerk, PersonFactory())  # court_inquiry is no longer listed
    assert reveal(clerk, person := PersonFactory(), reference="tax_audit") == person.phone


def test_each_staff_member_reveals_at_most_the_hourly_limit(settings, time_machine):
    settings.TONGBAN_REVEAL_LIMIT_PER_HOUR = 3
    time_machine.move_to("2026-12-08 09:05:00+08:00", tick=False)
    clerk, colleague = staff_in("341902000000", "window"), staff_in("341902000000", "window")
    for _ in range(3):
        reveal(clerk, PersonFactory())
    with pytest.raises(Throttled) as refused:
        reveal(clerk, PersonFactory())
    assert refused.value.status == 429 and "已达上限" in refused.value.message
    assert reveal(colleague, PersonFactory())  # the limit is per staff member
    time_machine.move_to("2026-12-08 10:00:01+08:00", tick=False)
    assert reveal(clerk, PersonFactory())  # a new hour
    assert AuditEntry.objects.filter(action="person.reveal", actor_id=clerk.user.pk).count() == 4


def test_refused_grounds_do_not_count_against_the_limit(settings):
    settings.TONGBAN_REVEAL_LIMIT_PER_HOUR = 1
    clerk = staff_in("341902000000", "window")
    for _ in range(3):
        with pytest.raises(ValidationFailed):
            reveal(clerk, PersonFactory(), note="")
    assert reveal(clerk, PersonFactory())


def test_a_burst_alerts_the_supervisors_covering_the_department_once(
    settings, time_machine, django_capture_on_commit_callbacks
):
    settings.TONGBAN_REVEAL_BURST, settings.TONGBAN_REVEAL_BURST_MINUTES = 3, 10
    time_machine.move_to("2026-12-08 09:00:00+08:00", tick=False)
    clerk = staff_in("341902000000", "window")
    supervisor = staff_in("341900000000", "supervise")
    elsewhere = staff_in("341903000000", "supervise")  # 城西区's supervisor does not cover 城东区
    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(5):
            reveal(clerk, PersonFactory())
    assert OutboxEvent.objects.filter(topic="person.reveal_burst").count() == 1
    alerts = Notification.objects.filter(topic="person.reveal_burst")
    assert [alert.recipient_id for alert in alerts] == [supervisor.user_id]
    assert elsewhere.user_id not in {alert.recipient_id for alert in alerts}
    assert "10分钟内查看完整个人信息3次" in alerts.get().body
