"""Facilitation modules: each subscribes to the events it needs and emits actions.

Each sub-folder with a ``plugin.py`` is one plugin (see :mod:`bot.plugins`); the
core finds them, so nothing here lists them.
"""
