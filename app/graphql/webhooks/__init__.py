"""Webhooks (ADMIN): endpoints an organization's events are pushed to, and each
delivery's record."""
