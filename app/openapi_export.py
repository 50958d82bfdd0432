"""Print the OpenAPI document of the app (`make openapi` writes it to openapi/openapi.json)."""

import json
import sys

from app.core.settings import Settings
from app.main import create_app


def document() -> str:
    app = create_app(Settings(environment="test"))
    return json.dumps(app.openapi(), indent=2, ensure_ascii=False, sort_keys=False) + "\n"


if __name__ == "__main__":
    sys.stdout.write(document())
