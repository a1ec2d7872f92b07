"""Slack adapter: slack-bolt (async), Socket Mode or the HTTP Events API."""

from adapters.slack.adapter import SlackAdapter
from adapters.slack.config import SlackConfig, check_tokens
from adapters.slack.manifest import build_manifest

__all__ = ["SlackAdapter", "SlackConfig", "build_manifest", "check_tokens"]
