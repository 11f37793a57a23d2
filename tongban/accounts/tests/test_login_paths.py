"""Every view that authenticates goes through the one guarded check: found by posting credentials
to every URL of the URL conf, not by naming the log-in pages. A staff member whose post needs a
second factor gets no session from a password on any of them (ADR 0010)."""

import datetime as dt

import pytest
from django.test import Client
from django.test.utils import override_settings
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone

from tongban.accounts import second_factor
from tongban.accounts.models import Post, User
from tongban.accounts.services import login_refused_message
from tongban.accounts.tests.factories import PASSWORD, UserFactory, staff_in, totp_enrol

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


def _second_factor_admin(*, enrolled: bool) -> User:
    """A system administrator (a second-factor post) who may enter the Django admin."""
    user = staff_in("341900000000", Post.ADMIN).user
    User.objects.filter(pk=user.pk).update(is_staff=True, is_superuser=True)
    if enrolled:
        totp_enrol(user)
    return User.objects.get(pk=user.pk)


def _paths_that_start_the_second_step(user: User) -> set[str]:
    started = set()
    for path in _plain_paths():
        client = Client()
        client.post(path, _credentials(user))
        if (client.session.get(second_factor.PENDING_KEY) or {}).get("user") == user.pk:
            started.add(path)
    return started


@pytest.mark.parametrize("enrolled", [True, False], ids=["enrolled", "not-enrolled"])
def test_no_url_signs_in_a_second_factor_user_by_password_alone(enrolled):
    user = _second_factor_admin(enrolled=enrolled)
    assert _paths_that_sign_in(user) == set()
    # …and every known log-in page took the password and went on to the code step instead.
    assert _paths_that_start_the_second_step(user) >= KNOWN_LOGIN_PATHS
