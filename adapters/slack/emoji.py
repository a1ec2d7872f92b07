"""Slack reaction names <-> unicode emoji, for the common ones.

Slack names reactions (``+1``, ``thumbsup``); Roundtable events carry the unicode
character so votes count the same on every platform. Names not listed here travel
as ``:name:`` (custom workspace emoji have no unicode form at all).
"""

from __future__ import annotations

__all__ = ["emoji_to_name", "name_to_emoji"]

_VS16 = "\ufe0f"  # emoji presentation selector: "❤️" and "❤" are one emoji

# The first name of each emoji is the one we send back to Slack.
_NAMES: dict[str, tuple[str, ...]] = {
    "👍": ("+1", "thumbsup"),
    "👎": ("-1", "thumbsdown"),
    "❤️": ("heart",),
    "🎉": ("tada",),
    "🙌": ("raised_hands",),
    "👏": ("clap",),
    "👀": ("eyes",),
    "✅": ("white_check_mark",),
    "✔️": ("heavy_check_mark",),
    "❓": ("question",),
    "❔": ("grey_question",),
    "🙋": ("raising_hand", "raised_hand_with_fingers_splayed"),
    "✋": ("hand", "raised_hand"),
    "🔥": ("fire",),
    "😂": ("joy",),
    "😄": ("smile",),
    "🙂": ("slightly_smiling_face",),
    "🤔": ("thinking_face",),
    "🙏": ("pray",),
    "💡": ("bulb",),
    "⭐": ("star",),
    "🚀": ("rocket",),
    "💯": ("100",),
    "📌": ("pushpin",),
    "❌": ("x",),
    "👋": ("wave",),
    "⬆️": ("arrow_up",),
    "👌": ("ok_hand",),
    "💪": ("muscle",),
    "✨": ("sparkles",),
}

_BY_NAME: dict[str, str] = {name: emoji for emoji, names in _NAMES.items() for name in names}
_BY_EMOJI: dict[str, str] = {emoji.replace(_VS16, ""): names[0] for emoji, names in _NAMES.items()}


def name_to_emoji(name: str) -> str:
    """Turn a Slack reaction name into unicode (``"+1::skin-tone-3"`` -> ``"👍"``).

    Unknown names come back as ``":name:"``.
    """
    base = name.strip(":").split("::", 1)[0]  # skin tones vote the same
    return _BY_NAME.get(base, f":{base}:")


def emoji_to_name(emoji: str) -> str:
    """Turn unicode or ``":name:"`` into the name ``reactions.add`` expects."""
    stripped = emoji.strip()
    if stripped.startswith(":") and stripped.endswith(":") and len(stripped) > 2:
        return stripped[1:-1]
    return _BY_EMOJI.get(stripped.replace(_VS16, ""), stripped)
