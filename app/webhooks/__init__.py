"""Webhooks: events pushed to an organization's HTTP endpoints, signed as the
Standard Webhooks specification says. Below every capability that emits events
(tasks included), so it knows only core."""
