"""`{% deadline day since=… fmt=… %}`: a computed deadline as people read it. While a year it
crosses has no published schedule the date is an estimate, and says so (ADR 0008)."""

import datetime as dt

from django import template
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from tongban.core.calendar import calendar_span_provisional, today

register = template.Library()


@register.simple_tag
def deadline(day: dt.date | None, since: dt.date | None = None, fmt: str = "Y-m-d") -> str:
    if not day:
        return ""
    text = date_format(day, fmt)
    years = calendar_span_provisional(since or today(), day)
    if not years:
        return text
    return _("预计 %(date)s（%(years)s年节假日安排公布后可能调整）") % {
        "date": text,
        "years": "、".join(map(str, years)),
    }
