"""Roundtable's core: events, the event loop, commands, config, store and CLI."""

__version__ = "0.1.0"

__all__ = ["__version__"]
