"""structlog set-up: JSON lines in production (settings.log_json), readable text otherwise.

Both mask phone and ID numbers, and so do uvicorn's access lines (a query string may
carry `?phone=%2B84905…`). Loggers are not cached, so a second app in the same process
(tests) can set the output again.
"""

from __future__ import annotations

import logging
from typing import Any, TextIO
from urllib.parse import unquote_plus

import orjson
import structlog

from callcenter.ops.masking import mask_personal_data, mask_text

ACCESS_LOGGER = "uvicorn.access"


class MaskedAccessLine(logging.Filter):
    """uvicorn's access line (`%s - "%s %s HTTP/%s" %d`, the path with its query string):
    a value that holds a phone or ID number, once decoded, is logged decoded and masked;
    any other is left exactly as it was."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple):
            record.args = tuple(_masked(arg) if isinstance(arg, str) else arg for arg in record.args)
        return True


def _masked(value: str) -> str:
    decoded = unquote_plus(value)
    masked = mask_text(decoded)
    return masked if masked != decoded else value


def mask_access_log() -> None:
    """Put the mask on uvicorn's access logger (once; the filter outlives uvicorn's set-up)."""
    access = logging.getLogger(ACCESS_LOGGER)
    if not any(isinstance(f, MaskedAccessLine) for f in access.filters):
        access.addFilter(MaskedAccessLine())


def _json_line(event_dict: Any, **options: Any) -> str:
    """A log line as JSON text, Vietnamese as it is; what orjson cannot encode is
    rendered by structlog's fallback (`default`)."""
    return orjson.dumps(event_dict, default=options.get("default"), option=orjson.OPT_NON_STR_KEYS).decode()


def configure_logging(*, json: bool, stream: TextIO | None = None, level: int = logging.INFO) -> None:
    mask_access_log()
    renderer: structlog.typing.Processor = (
        structlog.processors.JSONRenderer(serializer=_json_line) if json else structlog.dev.ConsoleRenderer()
    )
    structlog.configure(
        processors=[
            structlog.contextvars.merge_contextvars,
            structlog.processors.add_log_level,
            structlog.processors.TimeStamper(fmt="iso", utc=True),
            structlog.processors.format_exc_info,
            mask_personal_data,
            renderer,
        ],
        wrapper_class=structlog.make_filtering_bound_logger(level),
        # Without a stream, each logger finds sys.stdout when made (test capture swaps it).
        # WriteLogger: a line is one write, where print() made two system calls of it.
        logger_factory=(
            structlog.WriteLoggerFactory(file=stream) if stream else structlog.WriteLoggerFactory()
        ),
        cache_logger_on_first_use=False,
    )
