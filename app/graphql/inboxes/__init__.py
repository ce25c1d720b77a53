"""Inboxes: queues, and the inboxes whose address imports mail into them."""
