"""Interactive docs from the service itself: Swagger UI at /docs and ReDoc at /redoc.

Their scripts and styles come from fastapi-offline's bundle (pinned), served under /docs/assets, never from a CDN:
the pages work on a network without internet access. The pages carry no inline script (Swagger UI's set-up is a
script file of its own) and answer with a Content-Security-Policy that allows this service's own scripts only, so
they also work behind a proxy that enforces such a policy. tests/test_docs_browser.py loads both in Chromium.
"""

from __future__ import annotations

import json
from importlib.resources import files
from pathlib import Path

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import HTMLResponse, Response
from fastapi.staticfiles import StaticFiles

ASSETS = Path(str(files("fastapi_offline") / "static"))
# Inline styles: Swagger UI and ReDoc set style attributes. Workers from blob: ReDoc's search index.
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
    "worker-src 'self' blob:; connect-src 'self'; frame-ancestors 'self'; base-uri 'none'; form-action 'none'"
)

router = APIRouter(include_in_schema=False)


def _page(title: str, head: str, body: str) -> HTMLResponse:
    html = f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
{head}
</head>
<body>
{body}
</body>
</html>
"""
    return HTMLResponse(html, headers={"Content-Security-Policy": CSP})


@router.get("/docs")
async def swagger_ui(request: Request) -> HTMLResponse:
    root = request.scope.get("root_path", "")
    return _page(
        f"{request.app.title}: API (Swagger UI)",
        f'<link rel="stylesheet" href="{root}/docs/assets/swagger-ui.css">\n'
        f'<link rel="icon" href="{root}/docs/assets/favicon.png">',
        f'<div id="swagger-ui"></div>\n<script src="{root}/docs/assets/swagger-ui-bundle.js"></script>\n'
        f'<script src="{root}/docs/swagger-ui-init.js"></script>',
    )


@router.get("/docs/swagger-ui-init.js")
async def swagger_ui_init(request: Request) -> Response:
    options = {
        "url": f"{request.scope.get('root_path', '')}{request.app.openapi_url}",
        "dom_id": "#swagger-ui",
        "layout": "BaseLayout",
        "deepLinking": True,
        "showExtensions": True,
        "showCommonExtensions": True,
    }
    script = (
        f"window.ui = SwaggerUIBundle(Object.assign({json.dumps(options)}, "
        "{presets: [SwaggerUIBundle.presets.apis, SwaggerUIBundle.SwaggerUIStandalonePreset]}));\n"
    )
    return Response(script, media_type="text/javascript")


@router.get("/redoc")
async def redoc(request: Request) -> HTMLResponse:
    root = request.scope.get("root_path", "")
    return _page(
        f"{request.app.title}: API (ReDoc)",
        f'<link rel="icon" href="{root}/docs/assets/favicon.png">',
        f'<redoc spec-url="{root}{request.app.openapi_url}"></redoc>\n'
        f'<script src="{root}/docs/assets/redoc.standalone.js"></script>',
    )


def install_docs(app: FastAPI) -> None:
    """Call on an app made with `docs_url=None, redoc_url=None` (FastAPI's own pages load from a CDN)."""
    app.mount("/docs/assets", StaticFiles(directory=ASSETS), name="docs-assets")
    app.include_router(router)
