"""Structured logging with personal data masked before anything is written."""

from __future__ import annotations

import logging
import re
import sys
from collections.abc import Mapping, MutableMapping
from typing import Any

import structlog

EMAIL = re.compile(r"([A-Za-z0-9._%+-])[A-Za-z0-9._%+-]*@([A-Za-z0-9.-]+\.[A-Za-z]{2,})")
SECRET_KEYS = ("secret", "token", "password", "authorization", "signature", "consumer_key")


def mask_email(text: str) -> str:
    """``jane.doe@example.com`` -> ``j***@example.com``: enough to recognise, not enough to misuse."""
    return EMAIL.sub(lambda m: f"{m.group(1)}***@{m.group(2)}", text)


def _mask(value: Any) -> Any:
    if isinstance(value, str):
        return mask_email(value)
    if isinstance(value, dict):
        return {
            k: ("**********" if any(s in str(k).lower() for s in SECRET_KEYS) else _mask(v))
            for k, v in value.items()
        }
    if isinstance(value, list | tuple):
        return [_mask(v) for v in value]
    return value


def mask_personal_data(_logger: Any, _method: str, event: MutableMapping[str, Any]) -> Mapping[str, Any]:
    masked: Mapping[str, Any] = _mask(dict(event))
    return masked


def configure_logging(level: str = "INFO", *, json: bool = False) -> None:
    renderer: Any = (
        structlog.processors.JSONRenderer() if json else structlog.dev.ConsoleRenderer(colors=False)
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
        wrapper_class=structlog.make_filtering_bound_logger(logging.getLevelName(level.upper())),
        logger_factory=structlog.PrintLoggerFactory(file=sys.stderr),
        cache_logger_on_first_use=False,
    )
