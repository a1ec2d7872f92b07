"""Core commands: /help, /role, and the event lifecycle (/event start|pause|resume|end)."""

from facilitation.core.module import CoreModule

__all__ = ["CoreModule"]
