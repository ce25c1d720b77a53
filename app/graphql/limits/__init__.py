"""Limits: what the API enforces for the caller's organization."""
