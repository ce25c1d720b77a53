"""Intake: raw messages imported through the API (SMTP is the other way in)."""
