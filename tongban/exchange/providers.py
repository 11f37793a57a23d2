"""Remote providers: a department that keeps its data in its own system answers the exchange over
HTTP. `provider_fetch` asks one key of one resource:

    GET {endpoint_url}?key=<key>&fields=a,b      X-Tongban-Resource: <resource code>
    → 200 {"found": true, "record": {...}}  or  {"found": false}

A provider is someone else's machine, so every call is bounded: the resource's `timeout_ms` caps each
attempt, connection errors and 5xx are retried a configured number of times with a short backoff
(a timeout is not retried: the caller would wait twice as long for a server that is already slow),
and a circuit breaker per resource, held in Django's cache so every process sees it, stops calling
a provider that keeps failing. While it is open, calls fail at once with `Unavailable` and the
applicant is told to upload the material instead; after the cool-down one trial call is let through
(half-open) and its outcome closes or re-opens the breaker.

Only the standard library is used (urllib): the project installs no HTTP client, and one GET with a
timeout does not need one.
"""

import json
import logging
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache

from tongban.core.errors import Unavailable
from tongban.exchange.models import DataResource

log = logging.getLogger(__name__)

MAX_BODY_BYTES = 1024 * 1024  # a record, not a dump: a larger answer is a fault of the provider
DOWN_MESSAGE = "数据提供部门接口暂不可用，请稍后再试或改为上传材料。"

# No proxy for provider calls: government intranet endpoints are reached directly, and a proxy set
# in the environment for outbound internet must not see applicants' ID numbers.
_opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))


class _Retryable(Exception):
    """A connection error or a 5xx: the next attempt may succeed."""


class _Failed(Exception):
    """A timeout or an answer that makes no sense: retrying now would not help."""


def provider_fetch(resource: DataResource, key: str, fields: list[str]) -> dict | None:
    """The provider's record for `key` (its `fields`), None when it has none; raises Unavailable
    (code `provider_down`) when the provider cannot answer or its breaker is open."""
    trial = breaker_admit(resource)
    attempts = 1 + max(settings.TONGBAN_EXCHANGE_PROVIDER_RETRIES, 0)
    for attempt in range(1, attempts + 1):
        try:
            answer = _get(resource, key, fields)
        except _Retryable as error:
            if attempt < attempts:
                time.sleep(settings.TONGBAN_EXCHANGE_PROVIDER_BACKOFF_MS / 1000 * attempt)
                continue
            _give_up(resource, error, trial)
        except _Failed as error:
            _give_up(resource, error, trial)
        else:
            breaker_success(resource)
            return answer
    raise AssertionError("unreachable")  # pragma: no cover - the loop returns or raises


def _give_up(resource: DataResource, error: Exception, trial: bool):
    breaker_failure(resource, trial=trial)
    log.warning("provider call failed", extra={"resource": resource.code, "error": str(error)})
    raise Unavailable(DOWN_MESSAGE, code="provider_down") from error


def _get(resource: DataResource, key: str, fields: list[str]) -> dict | None:
    query = urllib.parse.urlencode({"key": key, "fields": ",".join(fields)})
    separator = "&" if "?" in resource.endpoint_url else "?"
    request = urllib.request.Request(
        f"{resource.endpoint_url}{separator}{query}",
        headers={"X-Tongban-Resource": resource.code, "Accept": "application/json"},
    )
    try:
        with _opener.open(request, timeout=resource.timeout_ms / 1000) as response:
            body = response.read(MAX_BODY_BYTES + 1)
    except urllib.error.HTTPError as error:
        if error.code >= 500:
            raise _Retryable(f"HTTP {error.code}") from error
        raise _Failed(f"HTTP {error.code}") from error
    except TimeoutError as error:
        raise _Failed("timeout") from error
    except urllib.error.URLError as error:
        if isinstance(error.reason, TimeoutError):
            raise _Failed("timeout") from error
        raise _Retryable(str(error.reason)) from error
    except OSError as error:  # reset mid-answer, refused on a kept-alive socket
        raise _Retryable(str(error)) from error
    return _record_from(body)


def _record_from(body: bytes) -> dict | None:
    if len(body) > MAX_BODY_BYTES:
        raise _Failed("answer too large")
    try:
        answer = json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise _Failed("answer is not JSON") from error
    if not isinstance(answer, dict) or not isinstance(answer.get("found"), bool):
        raise _Failed("answer lacks a boolean 'found'")
    if not answer["found"]:
        return None
    record = answer.get("record")
    if not isinstance(record, dict):
        raise _Failed("found without a record object")
    return record


# ---------------------------------------------------------------- circuit breaker


@dataclass(frozen=True)
class BreakerState:
    failures: int = 0
    opened_at: float | None = None  # wall-clock seconds: shared by processes through the cache


def _state_key(resource: DataResource) -> str:
    return f"exchange:breaker:{resource.pk}"


def _trial_key(resource: DataResource) -> str:
    return f"exchange:breaker:{resource.pk}:trial"


def breaker_state(resource: DataResource) -> BreakerState:
    return cache.get(_state_key(resource)) or BreakerState()


def breaker_admit(resource: DataResource) -> bool:
    """Let a call through, or raise Unavailable while the breaker is open. Returns True when this
    call is the single trial of a half-open breaker."""
    state = breaker_state(resource)
    if state.opened_at is None:
        return False
    cooldown = settings.TONGBAN_EXCHANGE_BREAKER_COOLDOWN_SECONDS
    if time.time() - state.opened_at < cooldown:
        raise Unavailable(DOWN_MESSAGE, code="provider_down")
    # Half-open: `add` succeeds for one caller only, so a recovering provider gets one call, not a rush.
    if not cache.add(_trial_key(resource), 1, timeout=max(cooldown, 1)):
        raise Unavailable(DOWN_MESSAGE, code="provider_down")
    return True


def breaker_success(resource: DataResource) -> None:
    if breaker_state(resource) != BreakerState():
        cache.delete_many([_state_key(resource), _trial_key(resource)])


def breaker_failure(resource: DataResource, *, trial: bool = False) -> None:
    state = breaker_state(resource)
    failures = state.failures + 1
    opens = trial or failures >= settings.TONGBAN_EXCHANGE_BREAKER_FAILURES
    opened_at = time.time() if opens else state.opened_at
    cache.set(_state_key(resource), BreakerState(failures=failures, opened_at=opened_at), timeout=None)
    if trial:
        cache.delete(_trial_key(resource))
    if opens and not state.opened_at:
        log.warning("provider breaker opened", extra={"resource": resource.code, "failures": failures})
