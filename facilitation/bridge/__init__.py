"""One event across platforms: linking a person's accounts (``/link``)."""
