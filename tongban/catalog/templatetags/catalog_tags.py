from django import template
from django.utils.html import escape
from django.utils.safestring import mark_safe

from tongban.catalog.search import query_terms

register = template.Library()


@register.filter
def highlight(text: str, query: str) -> str:
    """The text, escaped, with the Chinese words of the query marked (pinyin has nothing to mark)."""
    marked = escape(text)
    for term in sorted({t for t in query_terms(query or "") if not t.isascii()}, key=len, reverse=True):
        marked = marked.replace(escape(term), f"<mark>{escape(term)}</mark>")
    return mark_safe(marked)
