"""Editable texts: every message the bot says and every prompt a model gets."""

__all__: list[str] = []
