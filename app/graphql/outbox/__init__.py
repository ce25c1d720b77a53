"""Outbox: outgoing mail, queued to send now or later, and cancelled before it goes."""
