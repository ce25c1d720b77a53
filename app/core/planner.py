"""The query planner's table statistics, refreshed after bulk work."""

from tortoise import connections

# Rows SQLite reads of each index to estimate it (PRAGMA analysis_limit): a sample,
# so ANALYZE stays quick on a large file (PostgreSQL samples by itself).
SQLITE_ANALYSIS_ROWS = 1000


async def analyze() -> None:
    """`ANALYZE` every table. Without statistics both planners walk a whole
    organization's emails for a search instead of using the full-text index (1,000
    times slower at 100k emails; bench/LEVERS.md). SQLite never gathers them by
    itself, and PostgreSQL's autovacuum only after a tenth of a table changed."""
    client = connections.get("default")
    if client.capabilities.dialect == "sqlite":
        await client.execute_query(f"PRAGMA analysis_limit = {SQLITE_ANALYSIS_ROWS}")
    await client.execute_query("ANALYZE")
