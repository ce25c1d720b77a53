"""bench/RESULTS.md: the figures of one `make bench`, with the machine they ran on."""

import asyncio
import datetime
import os
import platform
import sys
from pathlib import Path

from bench.env import postgres_url
from bench.harness import Figure

RESULTS = Path(__file__).with_name("RESULTS.md")
# Hand-kept: each lever's before/after and what is not measured yet, and why.
LEVERS = Path(__file__).with_name("LEVERS.md")


def line(engine: str, f: Figure) -> str:
    return (
        f"{engine:<9}{f.name:<52}{f.ratio:>8.2f}× [{f.low:.2f}–{f.high:.2f}]"
        f"  target {f.target}  {'ok' if f.ok else 'NOT MET'}  ({f.arms})"
    )


def _cpu() -> str:
    try:
        for row in Path("/proc/cpuinfo").read_text().splitlines():
            if row.startswith("model name"):
                return row.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


async def _pg_version() -> str:
    import asyncpg

    url = (postgres_url() or "").replace("postgres://", "postgresql://", 1)
    conn = await asyncpg.connect(url)
    try:
        return str(await conn.fetchval("SHOW server_version"))
    finally:
        await conn.close()


def machine() -> list[str]:
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    rows = [
        f"- date: {datetime.datetime.now(datetime.UTC):%Y-%m-%d %H:%M} UTC",
        f"- CPU: {_cpu()}, {os.cpu_count()} cores (load average at the end: {load})",
        f"- Python {sys.version.split()[0]}, {platform.system()} {platform.release()}",
    ]
    if postgres_url():
        rows.append(f"- PostgreSQL {asyncio.run(_pg_version())}")
    return rows


def write(results: dict[str, list[Figure]], seconds: float, *, partial: bool) -> Path:
    out = [
        "# Benchmark results",
        "",
        "Written by `make bench` (`python -m bench`). Every figure is a ratio of two",
        "arms run interleaved in one process (A, B, then B, A, …), the first round",
        "discarded; the value is the median of the per-round ratios, with their",
        "min–max and interquartile range. Absolute times are for orientation only.",
        "",
        *machine(),
        f"- run time: {seconds:.0f} s{' (some benchmarks only)' if partial else ''}",
        "",
        "| engine | figure | median | min–max | IQR | rounds | target | met | arms |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for engine, figures in results.items():
        for f in figures:
            out.append(
                f"| {engine} | {f.name} | {f.ratio:.2f}× | {f.low:.2f}–{f.high:.2f}"
                f" | {f.q1:.2f}–{f.q3:.2f} | {f.rounds} | {f.target}"
                f" | {'yes' if f.ok else 'no'} | {f.arms} |"
            )
    if LEVERS.exists():
        out += ["", LEVERS.read_text().rstrip()]
    RESULTS.write_text("\n".join(out) + "\n")
    return RESULTS
