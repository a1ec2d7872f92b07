"""An interactive terminal room for trying Roundtable without any account."""

from adapters.console.adapter import HELP, ConsoleAdapter

__all__ = ["HELP", "ConsoleAdapter"]
