"""Public guides (办事指南) on the portal: browse, search, and read one item's complete guide."""

from django.shortcuts import render

from tongban.catalog import selectors
from tongban.catalog.models import Theme


def guide_index(request):
    audience = request.GET.get("audience", "")
    filters = {
        "query": request.GET.get("q", "").strip(),
        "department_id": _int(request.GET.get("department")),
        "theme": request.GET.get("theme", ""),
        "life_event": request.GET.get("event", ""),
        "item_type": request.GET.get("type", ""),
        "audience": audience if audience in {Theme.PERSON, Theme.LEGAL} else "",
    }
    result = selectors.item_search(**filters, page=request.GET.get("page", 1))
    context = {
        "page": result.page,
        "did_you_mean": result.did_you_mean,
        "filters": filters,
        "themes": selectors.themes(filters["audience"]),
        "life_events": selectors.life_events(filters["audience"]),
        "departments": selectors.departments_with_items(),
        "item_types": selectors.item_types().filter(on_application=True),
        "query_string": _without_page(request),
    }
    template = "catalog/_results.html" if request.htmx else "catalog/guide_index.html"
    return render(request, template, context)


def guide_detail(request, item_id: int):
    version = selectors.item_guide(item_id)
    return render(
        request,
        "catalog/guide_detail.html",
        {
            "version": version,
            "situations": selectors.item_situations(version.item),
        },
    )


def _int(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() else None


def _without_page(request) -> str:
    params = request.GET.copy()
    params.pop("page", None)
    return params.urlencode()
