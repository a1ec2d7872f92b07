"""Momentum after the event: follow-ups, "since last time", /remindme (on stored timers)."""
