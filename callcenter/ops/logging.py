"""structlog set-up: JSON lines in production (settings.log_json), readable text otherwise.

Both mask phone and ID numbers. Loggers are not cached, so a second app in the same
process (tests) can set the output again.
"""

from __future__ import annotations

import logging
from typing import Any, TextIO

import orjson
import structlog

from callcenter.ops.masking import mask_personal_data


def _json_line(event_dict: Any, **options: Any) -> str:
    """A log line as JSON text, Vietnamese as it is; what orjson cannot encode is
    rendered by structlog's fallback (`default`)."""
    return orjson.dumps(event_dict, default=options.get("default"), option=orjson.OPT_NON_STR_KEYS).decode()


def configure_logging(*, json: bool, stream: TextIO | None = None, level: int = logging.INFO) -> None:
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
