"""Discord adapter (discord.py): gateway events in, REST actions out."""

from adapters.discord.adapter import CAPABILITIES, DiscordAdapter, intents_for
from adapters.discord.config import DiscordConfig, check_tokens

__all__ = ["CAPABILITIES", "DiscordAdapter", "DiscordConfig", "check_tokens", "intents_for"]
