"""Tortoise migrations, applied in the order their `dependencies` chain them:
0009 -> 0011 -> 0012 -> 0013 -> 0016 -> 0017 -> 0018. The numbers 0010, 0014 and 0015 were
taken by branches written side by side and renumbered when they landed."""
