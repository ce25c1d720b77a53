"""Mail: emails and threads, how lists of them filter and sort, and email edits."""
