"""The inbox page: messages newest first with the unread highlighted, marking read, the unread
count in the navigation, and a constant number of queries however many messages there are."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tongban.accounts.tests.factories import UserFactory
from tongban.notifications import services
from tongban.notifications.models import Notification

pytestmark = pytest.mark.django_db


@pytest.fixture
def user(client):
    user = UserFactory()
    client.force_login(user)
    return user


def _send(user, title="申请已受理", number="341900000000202601010000010001"):
    services.notification_send(
        recipient_ids=[user.pk], topic="case.accept", title=title, body="食品经营许可", case_number=number
    )
    return Notification.objects.filter(recipient=user).first()


def test_the_inbox_needs_a_login(client):
    response = client.get("/me/inbox/")
    assert response.status_code == 302 and response["Location"] == "/login/?next=/me/inbox/"


def test_an_empty_inbox_says_so(client, user):
    assert "还没有消息" in client.get("/me/inbox/").content.decode()


def test_unread_messages_are_highlighted_and_link_to_the_case(client, user):
    message = _send(user)
    page = client.get("/me/inbox/").content.decode()
    assert re.search(rf'<li id="message-{message.pk}" class="unread">', page)
    assert "申请已受理" in page and "（未读）" in page
    assert 'value="/me/cases/341900000000202601010000010001/"' in page


def test_opening_the_case_from_a_message_marks_it_read(client, user):
    message = _send(user)
    response = client.post(f"/me/inbox/{message.pk}/read/", {"next": f"/me/cases/{message.case_number}/"})
    assert response.status_code == 302 and response["Location"] == f"/me/cases/{message.case_number}/"
    message.refresh_from_db()
    assert message.read_at is not None


def test_marking_one_read_with_htmx_redraws_the_row(client, user):
    message = _send(user)
    fragment = client.post(f"/me/inbox/{message.pk}/read/", HTTP_HX_REQUEST="true").content.decode()
    assert fragment.startswith(f'<li id="message-{message.pk}" class="">') and "标为已读" not in fragment


def test_marking_read_elsewhere_goes_nowhere(client, user):
    response = client.post("/me/inbox/1/read/", {"next": "https://evil.example/"})
    assert response.status_code == 404
    message = _send(user)
    response = client.post(f"/me/inbox/{message.pk}/read/", {"next": "https://evil.example/"})
    assert response["Location"] == "/me/inbox/"


def test_someone_elses_message_is_not_found(client, user):
    other = _send(UserFactory())
    assert client.post(f"/me/inbox/{other.pk}/read/").status_code == 404
    other.refresh_from_db()
    assert other.read_at is None


def test_marking_all_read_and_the_unread_filter(client, user):
    _send(user, "一")
    _send(user, "二")
    page = client.get("/me/inbox/?unread=1").content.decode()
    assert "未读（2）" in page and "全部标为已读" in page
    page = client.post("/me/inbox/read-all/", follow=True).content.decode()
    assert "已将2条消息标为已读" in page and "全部标为已读" not in page
    assert "没有未读消息" in client.get("/me/inbox/?unread=1").content.decode()


def test_the_nav_counts_unread_messages(client, user):
    page = client.get("/").content.decode()
    assert ">消息</a>" in page
    _send(user)
    _send(user)
    page = client.get("/").content.decode()
    assert re.search(r'消息 <span class="badge[^"]*" aria-label="2条未读">2</span>', page)


def test_the_nav_does_not_count_for_visitors(client):
    with CaptureQueriesContext(connection) as queries:
        page = client.get("/").content.decode()
    assert "/me/inbox/" not in page
    assert not [q for q in queries.captured_queries if "notifications_notification" in q["sql"]]


def _queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_the_inbox_makes_the_same_queries_however_many_messages(client, user, django_assert_max_num_queries):
    for n in range(3):
        _send(user, f"消息{n}")
    with django_assert_max_num_queries(10):
        client.get("/me/inbox/")
    few = _queries(client, "/me/inbox/")
    for n in range(30):
        _send(user, f"更多{n}")
    assert _queries(client, "/me/inbox/") == few
    page = client.get("/me/inbox/?page=2").content.decode()
    assert "第 2 / 2 页" in page
