"""Platform adapters: each turns a platform's payloads into events and performs actions."""

from adapters.base import Adapter, Sink, split_text

__all__ = ["Adapter", "Sink", "split_text"]
