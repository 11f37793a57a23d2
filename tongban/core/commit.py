"""After-commit work queued once per transaction: a transaction that writes five audit entries and
two events needs one seal and one dispatch after it commits, not five and two."""

from collections.abc import Callable

from django.db import transaction


def on_commit_once(func: Callable[[], None]) -> None:
    """Queue `func` unless it is already queued from this atomic block or one enclosing it. A hook
    queued inside a savepoint that has since been released is not counted: that keeps each
    service's own hooks visible to tests, which run every test in one outer transaction."""
    connection = transaction.get_connection()
    enclosing = set(connection.savepoint_ids)
    if any(queued is func and sids <= enclosing for sids, queued, _ in connection.run_on_commit):
        return
    transaction.on_commit(func)
