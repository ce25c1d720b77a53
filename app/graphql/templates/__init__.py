"""Templates: reusable subjects and messages for outgoing mail."""
