import json
from pathlib import Path

from django.conf import settings

from tongban.config.openapi import openapi_document


def test_the_committed_openapi_document_matches_the_code():
    committed = Path(settings.BASE_DIR / "docs" / "openapi.json").read_text()
    assert openapi_document() == committed, "the API changed: run `make openapi` and commit docs/openapi.json"


def _schemas(base: type) -> list[type]:
    found = []
    for schema in base.__subclasses__():
        found.append(schema)
        found += _schemas(schema)
    return found


def test_every_api_schema_has_its_own_name():
    """OpenAPI keys components by class name: two schemas of one name document one of them wrongly."""
    from collections import defaultdict

    from ninja import Schema

    import tongban.config.api  # noqa: F401 - every router's schemas are defined

    by_name = defaultdict(set)
    for schema in _schemas(Schema):
        if schema.__module__.startswith("tongban."):
            by_name[schema.__name__].add(f"{schema.__module__}.{schema.__qualname__}")
    collisions = {name: sorted(places) for name, places in by_name.items() if len(places) > 1}
    assert collisions == {}


def test_every_component_of_the_document_is_one_schema():
    document = json.loads(openapi_document())
    titles = [component.get("title") for component in document["components"]["schemas"].values()]
    assert len(titles) == len(set(titles))


def test_every_operation_documents_its_refusals_as_problems():
    document = json.loads(openapi_document())
    undocumented = [
        f"{method.upper()} {path}"
        for path, operations in document["paths"].items()
        for method, operation in operations.items()
        if not {"400", "422"} <= set(operation["responses"])
        or (operation.get("security") and not {"401", "403"} <= set(operation["responses"]))
    ]
    assert undocumented == []
    assert set(document["components"]["schemas"]["Problem"]["required"]) >= {"code", "detail", "status"}
