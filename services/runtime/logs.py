"""structlog configured once: JSON off a terminal, context carried in contextvars."""

from __future__ import annotations

import json
import logging
import sys
from typing import Any

import orjson
import structlog

_configured = False
_root_handler: logging.Handler | None = None


def configure_logging(level: str = "INFO", json: bool | None = None) -> None:
    """Configure structlog and stdlib logging once per process."""
    global _configured
    if _configured:
        return
    render_json = (not sys.stderr.isatty()) if json is None else json
    shared: list[structlog.types.Processor] = [
        structlog.contextvars.merge_contextvars,
        structlog.processors.add_log_level,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
    ]
    renderer: structlog.types.Processor = (
        structlog.processors.JSONRenderer(serializer=render_json_line)
        if render_json
        else structlog.dev.ConsoleRenderer(colors=False)
    )
    structlog.configure(
        processors=[
            *shared,
            structlog.processors.StackInfoRenderer(),
            structlog.processors.format_exc_info,
            renderer,
        ],
        wrapper_class=structlog.make_filtering_bound_logger(logging.getLevelName(level)),
        logger_factory=structlog.PrintLoggerFactory(file=sys.stderr),
        cache_logger_on_first_use=True,
    )
    global _root_handler
    _root_handler = logging.StreamHandler(sys.stderr)
    _root_handler.setFormatter(
        structlog.stdlib.ProcessorFormatter(
            foreign_pre_chain=shared,
            processors=[
                structlog.stdlib.ProcessorFormatter.remove_processors_meta,
                structlog.processors.format_exc_info,
                renderer,
            ],
        )
    )
    route_stdlib_logging(level)
    _configured = True


def render_json_line(event: Any, **kw: Any) -> str:
    """One log line as JSON, with orjson (a line per request: the stdlib encoder is a third of
    its cost); what orjson refuses (lone surrogates, huge ints, odd keys) goes to the stdlib's."""
    try:
        return orjson.dumps(event, default=kw.get("default"),
                            option=orjson.OPT_PASSTHROUGH_DATETIME).decode()
    except TypeError:  # orjson.JSONEncodeError is a TypeError
        return json.dumps(event, **kw)


def route_stdlib_logging(level: str = "INFO") -> None:
    """Send stdlib logging (uvicorn, aiokafka) through the structlog renderer."""
    if _root_handler is None:
        return
    root = logging.getLogger()
    root.handlers[:] = [_root_handler]
    root.setLevel(level)
    for noisy in ("aiokafka", "kafka", "uvicorn.access"):
        logging.getLogger(noisy).setLevel(max(logging.WARNING, logging.getLevelName(level)))


def get_logger(name: str) -> structlog.stdlib.BoundLogger:
    """A structlog logger named for its module."""
    logger: structlog.stdlib.BoundLogger = structlog.get_logger(name)
    return logger
