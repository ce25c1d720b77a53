"""Threads: merging, splitting and reading conversations by hand."""
