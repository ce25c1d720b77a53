"""Accounts: the viewer, users and API tokens of the organization."""
