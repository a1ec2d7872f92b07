"""Rolling summaries during an event and the social report at its end.

Import from the submodules (``facilitation.report.module`` and so on): ``bot.config``
imports ``facilitation.report.config``, so this package imports nothing itself.
"""

from __future__ import annotations

__all__: list[str] = []
