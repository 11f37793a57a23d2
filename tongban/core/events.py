"""Domain events through an outbox: `event_record` writes the event in the caller's transaction;
after commit, `events_dispatch` hands each event to the listeners subscribed to its topic.

Listeners are registered by the listening context (`@subscribe("case.accepted")` in its
handlers module, imported from its AppConfig.ready), so the sender need not know them. A listener
must be idempotent: an event whose dispatch failed half-way is offered again, to every listener.
"""

import logging
from collections import defaultdict
from collections.abc import Callable, Iterable
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from tongban.core.commit import on_commit_once
from tongban.core.models import OutboxEvent

log = logging.getLogger(__name__)

DISPATCH_BATCH = 500
MAX_ATTEMPTS = 10

Listener = Callable[[OutboxEvent], None]
_listeners: dict[str, list[Listener]] = defaultdict(list)


def subscribe(*topics: str) -> Callable[[Listener], Listener]:
    def register(listener: Listener) -> Listener:
        for topic in topics:
            if listener not in _listeners[topic]:
                _listeners[topic].append(listener)
        return listener

    return register


def event_record(*, topic: str, payload: dict[str, Any], region_code: str = "") -> None:
    OutboxEvent.objects.create(topic=topic, payload=payload, region_code=region_code)
    events_dispatch_after_commit()


def events_record(*, topic: str, events: Iterable[tuple[str, dict[str, Any]]]) -> int:
    """Many events of one topic, given as (region code, payload), in one INSERT."""
    rows = [OutboxEvent(topic=topic, payload=payload, region_code=region_code) for region_code, payload in events]
    OutboxEvent.objects.bulk_create(rows, batch_size=1000)
    if rows:
        events_dispatch_after_commit()
    return len(rows)


def events_dispatch_after_commit() -> None:
    """For writers that insert events in bulk (set-based SQL) rather than through event_record."""
    on_commit_once(_request_dispatch)


def _request_dispatch() -> None:
    # With a broker the periodic task dispatches; embedded, listeners run right after commit.
    if not settings.TONGBAN_BROKER_URL:
        events_dispatch()


def events_dispatch(*, limit: int = DISPATCH_BATCH) -> int:
    """Offer pending events to their listeners, oldest first; returns how many were dispatched."""
    dispatched = 0
    while dispatched < limit:
        with transaction.atomic():
            event = (
                OutboxEvent.objects.select_for_update(skip_locked=True)
                .filter(dispatched_at__isnull=True, attempts__lt=MAX_ATTEMPTS)
                .order_by("id")
                .first()
            )
            if event is None:
                return dispatched
            _deliver(event)
        dispatched += 1
    return dispatched


def _deliver(event: OutboxEvent) -> None:
    try:
        with transaction.atomic():
            for listener in _listeners.get(event.topic, ()):
                listener(event)
    except Exception as error:  # the event stays pending and is offered again, up to MAX_ATTEMPTS
        log.exception("event listener failed", extra={"topic": event.topic, "event": event.pk})
        event.attempts += 1
        event.last_error = str(error)[:300]
        event.save(update_fields=["attempts", "last_error"])
        return
    event.dispatched_at = timezone.now()
    event.attempts += 1
    event.save(update_fields=["dispatched_at", "attempts"])
