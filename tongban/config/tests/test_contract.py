from pathlib import Path

from django.conf import settings

from tongban.config.openapi import openapi_document


def test_the_committed_openapi_document_matches_the_code():
    committed = Path(settings.BASE_DIR / "docs" / "openapi.json").read_text()
    assert openapi_document() == committed, "the API changed: run `make openapi` and commit docs/openapi.json"
