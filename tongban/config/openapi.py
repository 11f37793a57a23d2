"""Print the OpenAPI document: `make openapi` writes docs/openapi.json, which a test keeps in step."""

import json


def openapi_document() -> str:
    import django

    django.setup()
    from tongban.config.api import api

    return json.dumps(api.get_openapi_schema(), ensure_ascii=False, indent=2, sort_keys=True) + "\n"


if __name__ == "__main__":
    import os

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tongban.config.settings")
    print(openapi_document(), end="")
