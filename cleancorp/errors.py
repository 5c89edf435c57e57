"""The error hierarchy: what stops the run (exit 2) and what fails one input (exit 3)."""

from __future__ import annotations


class CleancorpError(Exception):
    """Base of every error cleancorp raises on purpose."""


class UsageError(CleancorpError):
    """Bad command line or inputs: nothing is written, exit 2."""


class ConfigError(UsageError):
    """A bad config key or value; the message names the key. Exit 2."""

    def __init__(self, key: str, message: str, source: str | None = None) -> None:
        self.key = key
        self.source = source
        where = f"{source}: " if source else ""
        super().__init__(f"{where}{key}: {message}")


class InputError(CleancorpError):
    """One input cannot be processed (binary, unreadable, ...): an error record, exit 3."""
