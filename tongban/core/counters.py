"""Counters in the shared cache (Redis in production, so every web node and worker sees one count):
one increment per event, never a scan of a log table."""

import contextlib

from django.core.cache import cache


def counter_add(key: str, amount: int = 1, *, timeout: int) -> int:
    """Add to the counter at `key` (created at 0, expiring `timeout` seconds after it was created)
    and return its new value."""
    try:
        cache.add(key, 0, timeout=timeout)
        return cache.incr(key, amount)
    except ValueError:  # the counter expired between add and incr
        cache.set(key, amount, timeout=timeout)
        return amount


def counter_sub(key: str, amount: int = 1) -> None:
    """Give back what `counter_add` took, when the act it counted is refused after all."""
    with contextlib.suppress(ValueError):  # already expired: nothing left to give back
        cache.decr(key, amount)
