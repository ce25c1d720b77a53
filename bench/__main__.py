"""`make bench`: every figure on SQLite (and PostgreSQL when BENCH_DATABASE_URL or
TEST_DATABASE_URL is set), printed and written to bench/RESULTS.md.

`python -m bench list_page task_latency` runs only those modules.
"""

import asyncio
import sys
import time

from bench import (
    concurrency,
    import_large,
    import_rate,
    list_page,
    report,
    search,
    send_rate,
    task_latency,
)
from bench.env import engines

BENCHMARKS = {
    "list_page": list_page,
    "task_latency": task_latency,
    "import_rate": import_rate,
    "import_large": import_large,
    "concurrency": concurrency,
    "send_rate": send_rate,
    "search": search,
}


def main() -> None:
    chosen = sys.argv[1:] or list(BENCHMARKS)
    started = time.perf_counter()
    results: dict[str, list] = {}
    for engine in engines():
        results[engine] = []
        for name in chosen:
            figures = asyncio.run(BENCHMARKS[name].run(engine))
            results[engine] += figures
            for figure in figures:
                print(report.line(engine, figure), flush=True)
    seconds = time.perf_counter() - started
    path = report.write(results, seconds, partial=bool(sys.argv[1:]))
    print(f"{seconds:.0f} s; written to {path}")


if __name__ == "__main__":
    main()
