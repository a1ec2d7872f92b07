"""The participation ledger: evaluation figures, downloads, and privacy controls.

Only the config is imported here, because ``bot.config`` imports it; the
module, CLI and helpers are in their own submodules (``module``, ``cli``,
``service``, ``export``, ``series``, ``privacy``).
"""

from facilitation.ledger.config import LedgerConfig

__all__ = ["LedgerConfig"]
