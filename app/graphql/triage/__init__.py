"""Triage: dismissing and attaching emails, as jobs a worker runs."""
