"""Every view that authenticates goes through the one guarded check: found by posting credentials
to every URL of the URL conf, not by naming the log-in pages."""

import datetime as dt

import pytest
from django.test import Client
from django.test.utils import override_settings
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone

from tongban.accounts.models import User
from tongban.accounts.services import login_refused_message
from tongban.accounts.tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

# The log-in pages known today; the probe below must find at least these.
KNOWN_LOGIN_PATHS = {"/login/", "/admin/login/"}


def _plain_paths(patterns=None, prefix: str = "") -> list[str]:
    """Every URL of the conf without a parameter (a log-in page takes none)."""
    found = []
    for entry in get_resolver().url_patterns if patterns is None else patterns:
        route = str(entry.pattern)
        if "<" in route or route.startswith("^"):
            continue
        if isinstance(entry, URLResolver):
            found += _plain_paths(entry.url_patterns, prefix + route)
        elif isinstance(entry, URLPattern):
            found.append("/" + prefix + route)
    return sorted(set(found))


def _credentials(user: User) -> dict[str, str]:
    return {"username": user.username, "identifier": user.username, "password": PASSWORD}


def _paths_that_sign_in(user: User) -> set[str]:
    signed_in = set()
    for path in _plain_paths():
        client = Client()
        client.post(path, _credentials(user))
        if client.session.get("_auth_user_id") == str(user.pk):
            signed_in.add(path)
    return signed_in


def _staff_admin() -> User:
    return UserFactory(kind=User.STAFF, is_staff=True)


def test_the_probe_finds_every_known_log_in_page():
    assert _paths_that_sign_in(_staff_admin()) >= KNOWN_LOGIN_PATHS


def test_no_url_signs_in_a_locked_account_even_with_the_right_password():
    user = _staff_admin()
    User.objects.filter(pk=user.pk).update(locked_until=timezone.now() + dt.timedelta(minutes=10))
    assert _paths_that_sign_in(user) == set()


@override_settings(TONGBAN_LOCKOUT_ATTEMPTS=3)
@pytest.mark.parametrize("path", sorted(KNOWN_LOGIN_PATHS))
def test_failures_on_any_log_in_page_count_towards_the_lockout(path):
    user = _staff_admin()
    for _ in range(3):
        Client().post(path, {"username": user.username, "identifier": user.username, "password": "wrong"})
    user.refresh_from_db()
    assert user.locked_until is not None and user.locked_until > timezone.now()


@pytest.mark.parametrize("path", sorted(KNOWN_LOGIN_PATHS))
def test_a_locked_account_reads_like_an_unknown_one(path):
    user = _staff_admin()
    User.objects.filter(pk=user.pk).update(locked_until=timezone.now() + dt.timedelta(minutes=10))
    locked = Client().post(path, _credentials(user)).content.decode()
    unknown = Client().post(path, {"username": "nobody", "identifier": "nobody", "password": PASSWORD})
    message = login_refused_message()
    assert message in locked and message in unknown.content.decode()
