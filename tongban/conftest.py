"""Fixtures shared by every context's tests."""

import datetime as dt
import hashlib
import os
import shutil
import zoneinfo

import pytest
from django.conf import settings

CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


@pytest.fixture(scope="session")
def browser():
    """Debian's Chromium driven by Playwright (never a downloaded browser)."""
    executable = shutil.which("chromium")
    if executable is None:
        pytest.fail("Chromium is missing: run scripts/bootstrap.sh (it installs Debian's chromium).")
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; Django must still allow ORM calls here.
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_FLAGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(base_url=live_server.url, locale="zh-CN", viewport={"width": 390, "height": 844})
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


@pytest.fixture
def today_is(time_machine):
    """`today_is(date)` freezes the clock at 10:00 of that day in the platform's time zone, for
    every module and the database's defaults alike (time-machine)."""

    def move(day: dt.date) -> None:
        zone = zoneinfo.ZoneInfo(settings.TIME_ZONE)
        time_machine.move_to(dt.datetime.combine(day, dt.time(10, 0), tzinfo=zone), tick=False)

    return move


@pytest.fixture(autouse=True)
def _fresh_process_caches():
    """The working-day calendar, the catalogue's search index and filed versions are cached per process,
    and counters live in Django's cache (a process's memory in tests); a rolled-back test must not leak
    them into the next, whose rows may reuse the same ids."""
    from django.core.cache import cache

    from tongban.catalog.search_index import search_index_clear
    from tongban.catalog.selectors import version_for_case
    from tongban.core.calendar import calendar_cache_clear

    clear = (calendar_cache_clear, search_index_clear, version_for_case.cache_clear, cache.clear)
    for forget in clear:
        forget()
    yield
    for forget in clear:
        forget()


@pytest.fixture(autouse=True)
def _audit_checkpoints_apart(settings, request):
    """Each test its own checkpoint store (created only when written): a checkpoint of one test's
    chain would not match the next test's."""
    settings.TONGBAN_AUDIT_CHECKPOINT_DIR = (
        settings.TESTS_DIR / "checkpoints" / hashlib.sha1(request.node.nodeid.encode()).hexdigest()
    )


def pytest_collection_modifyitems(items):
    """Browser tests run last: as transactional tests they end by emptying every table, data
    migrations' rows (posts, the holiday calendar) included."""
    items.sort(key=lambda item: item.get_closest_marker("browser") is not None)


@pytest.fixture
def sms_gateway(settings):
    """The city's SMS platform stood in for on a loopback port (notifications.sms posts to it)."""
    from tongban.notifications.tests.sms_gateway import SmsGateway

    gateway = SmsGateway()
    settings.TONGBAN_SMS_GATEWAY_URL = gateway.url
    settings.TONGBAN_SMS_GATEWAY_TOKEN = "test-token"
    yield gateway
    gateway.close()
