"""The inbox's writes: one message per person per event, however often the event is delivered,
and marking messages read only for their recipient."""

import pytest

from tongban.accounts.tests.factories import UserFactory
from tongban.cases import services as case_services
from tongban.cases.tests.factories import Crew, case_item, draft_case
from tongban.core.errors import NotFound
from tongban.core.events import events_dispatch
from tongban.core.models import OutboxEvent
from tongban.notifications import selectors, services
from tongban.notifications.models import Notification

pytestmark = pytest.mark.django_db


def test_an_event_delivered_twice_notifies_once():
    alice, bob = UserFactory(), UserFactory()
    sent = services.notification_send(recipient_ids=[alice.pk, bob.pk, alice.pk], topic="t", title="标题", event_id=7)
    again = services.notification_send(recipient_ids=[alice.pk, bob.pk], topic="t", title="标题", event_id=7)
    assert (sent, again) == (2, 0)
    assert Notification.objects.filter(recipient=alice).count() == 1


def test_marking_read_is_only_for_the_recipient():
    alice, bob = UserFactory(), UserFactory()
    services.notification_send(recipient_ids=[alice.pk], topic="t", title="给张三的消息")
    message = Notification.objects.get()
    with pytest.raises(NotFound):
        services.notification_mark_read(user=bob, notification_id=message.pk)
    assert selectors.unread_count(alice) == 1

    first = services.notification_mark_read(user=alice, notification_id=message.pk).read_at
    assert first is not None
    assert services.notification_mark_read(user=alice, notification_id=message.pk).read_at == first
    assert selectors.unread_count(alice) == 0


def test_marking_all_read_touches_only_ones_own_unread_messages():
    alice, bob = UserFactory(), UserFactory()
    services.notification_send(recipient_ids=[alice.pk, bob.pk], topic="t", title="一")
    services.notification_send(recipient_ids=[alice.pk], topic="t", title="二")
    assert services.notifications_mark_all_read(user=alice) == 2
    assert services.notifications_mark_all_read(user=alice) == 0
    assert selectors.unread_count(bob) == 1


def test_the_inbox_lists_newest_first_and_filters_unread():
    alice = UserFactory()
    for title in ("一", "二", "三"):
        services.notification_send(recipient_ids=[alice.pk], topic="t", title=title)
    services.notification_mark_read(user=alice, notification_id=Notification.objects.get(title="二").pk)
    assert [m.title for m in selectors.inbox(user=alice)] == ["三", "二", "一"]
    assert [m.title for m in selectors.inbox(user=alice, unread_only=True)] == ["三", "一"]


def test_submitting_a_case_tells_the_applicant_once_even_if_dispatched_again(django_capture_on_commit_callbacks):
    version = case_item()
    case = draft_case(version)
    with django_capture_on_commit_callbacks(execute=True):
        case_services.case_submit(actor=case.filed_by, case_id=case.pk)
    message = Notification.objects.get(recipient=case.filed_by)
    case.refresh_from_db()
    assert message.title == "申请已提交" and message.case_number == case.number and case.item_name in message.body

    OutboxEvent.objects.update(dispatched_at=None)  # a redelivery after a crash
    events_dispatch()
    assert Notification.objects.filter(recipient=case.filed_by).count() == 1


def test_staff_acts_reach_the_applicant_but_not_the_clerk(django_capture_on_commit_callbacks):
    version = case_item()
    crew = Crew(version.item.department)
    case = draft_case(version)
    with django_capture_on_commit_callbacks(execute=True):
        case_services.case_submit(actor=case.filed_by, case_id=case.pk)
    with django_capture_on_commit_callbacks(execute=True):
        case_services.case_accept(actor=crew.accept, case_id=case.pk)
    assert [m.title for m in selectors.inbox(user=case.filed_by)] == ["申请已受理", "申请已提交"]
    assert not Notification.objects.filter(recipient=crew.accept).exists()
