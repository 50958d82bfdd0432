"""JSON logs: one object per line, with the request id of the request being served, and no secrets or BSNs."""

from __future__ import annotations

import logging
import logging.config
import re
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any

import orjson

# Set by the RequestId middleware for the request being served; log records pick it up from here.
request_id: ContextVar[str | None] = ContextVar("request_id", default=None)
# Who at the integrating party made the request (a valid `X-Acting-User`), and the request's path: for the
# access log's rows (app/audit/service.py::record_access). Set by app/core/middleware.py::InputGuard.
acting_user: ContextVar[str | None] = ContextVar("acting_user", default=None)
request_path: ContextVar[str] = ContextVar("request_path", default="")

# What must never reach a log line, whatever a message or an exception's text carries: API keys (their prefix
# is fixed), bearer credentials and anything that looks like a BSN (nine digits on their own).
# One pattern with an alternative each, so that a clean text (nearly every one) costs one scan, not three.
_SECRET = re.compile(
    r"(?P<key>spw_[A-Za-z0-9_\-]+)"
    r"|(?P<bearer>(?i:bearer\s+))\S+"
    r"|(?P<bsn>(?<![\w.\-])\d{9}(?![\w.\-]))"
)


def _redact(match: re.Match[str]) -> str:
    if match.group("key"):
        return "spw_[redacted]"
    if match.group("bearer"):
        return match.group("bearer") + "[redacted]"
    return "[redacted]"


# Attributes every LogRecord has; anything else was passed with `extra=` and goes into the JSON object.
_STANDARD = set(logging.LogRecord("", 0, "", 0, "", None, None).__dict__) | {
    "message",
    "asctime",
    "taskName",
    "request_id",
    "color_message",  # uvicorn's message with terminal colours
}


def _stamp_request_id() -> None:
    """Every log record carries the id of the request being served when it is made (handlers may format later)."""
    make_record = logging.getLogRecordFactory()
    if getattr(make_record, "stamps_request_id", False):
        return

    def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = make_record(*args, **kwargs)
        record.request_id = request_id.get()
        return record

    factory.stamps_request_id = True  # type: ignore[attr-defined]
    logging.setLogRecordFactory(factory)


_stamp_request_id()


def scrub(text: str) -> str:
    return _SECRET.sub(_redact, text)


class JsonFormatter(logging.Formatter):
    """`{"time", "level", "logger", "message", "request_id", ...extra}`; secrets and BSNs are redacted."""

    def format(self, record: logging.LogRecord) -> str:
        data: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": scrub(record.getMessage()),
        }
        rid = getattr(record, "request_id", None)
        if rid:
            data["request_id"] = rid
        for key, value in record.__dict__.items():
            if key not in _STANDARD and key not in data and not key.startswith("_"):
                data[key] = value if isinstance(value, int | float | bool | None) else scrub(str(value))
        if record.exc_info:
            data["exception"] = scrub(self.formatException(record.exc_info))
        # orjson: the access line of every request passes here, and the stdlib encoder was most of its cost.
        return orjson.dumps(data, default=str).decode()


def logging_config(level: str = "info") -> dict[str, Any]:
    """dictConfig for the service: everything (uvicorn's own loggers too) as JSON on stderr.

    uvicorn's access log is switched off: the RequestId middleware writes one line per request with the route
    template instead of the raw path and query string.
    """
    handler = {"class": "logging.StreamHandler", "formatter": "json", "stream": "ext://sys.stderr"}
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"json": {"()": JsonFormatter}},
        "handlers": {"default": handler},
        "root": {"handlers": ["default"], "level": level.upper()},
        "loggers": {
            "uvicorn": {"handlers": [], "propagate": True},
            "uvicorn.error": {"handlers": [], "propagate": True},
            "uvicorn.access": {"handlers": [], "propagate": False, "level": "CRITICAL"},
            "alembic": {"level": "WARNING"},
        },
    }


def configure_logging(level: str = "info") -> None:
    logging.config.dictConfig(logging_config(level))
