"""ASGI entry point for uvicorn: `uvicorn app.asgi:app` (each worker imports it, so each logs JSON)."""

from app.core.logging import configure_logging
from app.core.settings import get_settings
from app.main import create_app

configure_logging(get_settings().log_level)
app = create_app()
