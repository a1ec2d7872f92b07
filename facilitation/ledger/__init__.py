"""The participation ledger: evaluation figures, downloads, and privacy controls.

The module, CLI and helpers are in their own submodules (``module``, ``cli``,
``service``, ``export``, ``series``, ``privacy``).
"""

from facilitation.ledger.config import LedgerConfig

__all__ = ["LedgerConfig"]
