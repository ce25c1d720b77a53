"""Tortoise migrations, applied in the order their `dependencies` chain them:
0009 -> 0011 -> 0012 -> 0013 -> 0016 -> 0017 -> 0018 -> 0019. The numbers 0010, 0014 and 0015
were taken by branches written side by side and renumbered when they landed.

0019 creates what tortoise knows nothing of: PostgreSQL's `email.search_vector` column and
its GIN index, SQLite's `email_fts` table and its triggers on `email` (a tortoise rebuild of
`email` on SQLite drops those triggers: recreate them in the same migration)."""
