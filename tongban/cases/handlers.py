"""Listeners of the cases context: a change to an official year of the calendar rebuilds the
deadlines of the open cases that reach into it."""

from tongban.cases.deadlines import deadline_recomputation_start
from tongban.core.calendar_services import CALENDAR_CHANGED
from tongban.core.events import subscribe


@subscribe(CALENDAR_CHANGED)
def calendar_changed(event) -> None:
    deadline_recomputation_start(years=event.payload["years"], event_id=event.pk)
