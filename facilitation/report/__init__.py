"""Rolling summaries during an event and the social report at its end.

Import from the submodules (``facilitation.report.module`` and so on).
"""
