"""Remote providers against a real HTTP server on loopback: answers, slowness, errors, outage, and
the circuit breaker opening and closing."""

import time

import pytest

from tongban.core.errors import Unavailable
from tongban.exchange import providers
from tongban.exchange.models import DataResource
from tongban.exchange.tests.factories import resource_with_fields
from tongban.exchange.tests.provider_server import fresh_cache, provider  # noqa: F401 - fixtures

pytestmark = pytest.mark.django_db

ID = "11010519491231002X"


@pytest.fixture(autouse=True)
def quick(settings):
    settings.TONGBAN_EXCHANGE_PROVIDER_RETRIES = 1
    settings.TONGBAN_EXCHANGE_PROVIDER_BACKOFF_MS = 10
    settings.TONGBAN_EXCHANGE_BREAKER_FAILURES = 3
    settings.TONGBAN_EXCHANGE_BREAKER_COOLDOWN_SECONDS = 0.3


def remote(provider, timeout_ms=300):  # noqa: F811
    return resource_with_fields(served_by=DataResource.REMOTE, endpoint_url=provider.url, timeout_ms=timeout_ms)


def test_a_found_record_comes_back_with_the_fields_asked(provider):  # noqa: F811
    resource = remote(provider)
    provider.records[ID] = {"status": "已婚", "name": "王芳", "registered_on": "2015-06-01"}
    record = providers.provider_fetch(resource, ID, ["status", "registered_on"])
    assert record == {"status": "已婚", "registered_on": "2015-06-01"}
    assert provider.requests == [{"key": ID, "fields": ["status", "registered_on"], "resource": resource.code}]


def test_a_provider_without_the_record_answers_none(provider):  # noqa: F811
    resource = remote(provider)
    provider.behaviour = "not_found"
    assert providers.provider_fetch(resource, ID, ["status"]) is None


def test_a_slow_provider_is_cut_off_at_the_resource_timeout_and_not_retried(provider):  # noqa: F811
    resource = remote(provider, timeout_ms=200)
    provider.behaviour, provider.delay = "slow", 1.5
    started = time.monotonic()
    with pytest.raises(Unavailable) as refused:
        providers.provider_fetch(resource, ID, ["status"])
    assert time.monotonic() - started < 0.2 + 0.3
    assert refused.value.code == "provider_down" and "上传材料" in refused.value.message
    assert len(provider.requests) == 1


def test_a_server_error_is_retried_once_then_reported(provider):  # noqa: F811
    resource = remote(provider)
    provider.behaviour = "error"
    with pytest.raises(Unavailable):
        providers.provider_fetch(resource, ID, ["status"])
    assert len(provider.requests) == 2


def test_an_answer_that_is_not_json_is_a_failure_without_retry(provider):  # noqa: F811
    resource = remote(provider)
    provider.behaviour = "garbage"
    with pytest.raises(Unavailable):
        providers.provider_fetch(resource, ID, ["status"])
    assert len(provider.requests) == 1
    assert providers.breaker_state(resource).failures == 1


def test_a_stopped_provider_fails_fast_with_connection_refused(provider):  # noqa: F811
    resource = remote(provider, timeout_ms=2000)
    provider.stop()
    started = time.monotonic()
    with pytest.raises(Unavailable):
        providers.provider_fetch(resource, ID, ["status"])
    assert time.monotonic() - started < 1.0  # refused at once (plus one short backoff), no timeout wait


def test_the_breaker_opens_after_consecutive_failures_and_stops_calling(provider):  # noqa: F811
    resource = remote(provider)
    provider.behaviour = "garbage"
    for _ in range(3):
        with pytest.raises(Unavailable):
            providers.provider_fetch(resource, ID, ["status"])
    assert providers.breaker_state(resource).opened_at is not None
    provider.behaviour = "ok"
    with pytest.raises(Unavailable):
        providers.provider_fetch(resource, ID, ["status"])
    assert len(provider.requests) == 3  # the open breaker answered without calling


def test_after_the_cool_down_one_good_trial_closes_the_breaker(provider):  # noqa: F811
    resource = remote(provider)
    provider.records[ID] = {"status": "未婚"}
    provider.behaviour = "garbage"
    for _ in range(3):
        with pytest.raises(Unavailable):
            providers.provider_fetch(resource, ID, ["status"])
    time.sleep(0.35)
    provider.behaviour = "ok"
    assert providers.provider_fetch(resource, ID, ["status"]) == {"status": "未婚"}
    assert providers.breaker_state(resource) == providers.BreakerState()
    assert providers.provider_fetch(resource, ID, ["status"]) == {"status": "未婚"}


def test_a_failed_trial_opens_the_breaker_again(provider):  # noqa: F811
    resource = remote(provider)
    provider.behaviour = "garbage"
    for _ in range(3):
        with pytest.raises(Unavailable):
            providers.provider_fetch(resource, ID, ["status"])
    first_opening = providers.breaker_state(resource).opened_at
    time.sleep(0.35)
    with pytest.raises(Unavailable):
        providers.provider_fetch(resource, ID, ["status"])  # the trial, and it fails
    assert len(provider.requests) == 4
    assert providers.breaker_state(resource).opened_at > first_opening
    with pytest.raises(Unavailable):
        providers.provider_fetch(resource, ID, ["status"])
    assert len(provider.requests) == 4


def test_failures_below_the_threshold_do_not_open_and_a_success_resets_them(provider):  # noqa: F811
    resource = remote(provider)
    provider.behaviour = "garbage"
    for _ in range(2):
        with pytest.raises(Unavailable):
            providers.provider_fetch(resource, ID, ["status"])
    provider.behaviour = "not_found"
    assert providers.provider_fetch(resource, ID, ["status"]) is None
    assert providers.breaker_state(resource) == providers.BreakerState()
