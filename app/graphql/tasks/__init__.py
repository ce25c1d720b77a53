"""Tasks: the handles clients poll for the slow, queued actions."""
