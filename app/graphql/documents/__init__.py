"""Documents: the files extracted from emails, and their annotations."""
