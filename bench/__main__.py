"""`make bench`: run every benchmark and print its ratios against its target."""

import asyncio

from bench import email_page, import_large

BENCHMARKS = [email_page, import_large]


def main() -> None:
    results = []
    for benchmark in BENCHMARKS:
        results += asyncio.run(benchmark.run())
    print(f"{'benchmark':<44}{'value':>10}{'target':>10}  ok")
    for name, value, target, ok in results:
        print(f"{name:<44}{value:>10.2f}{target:>10}  {'yes' if ok else 'NO'}")


if __name__ == "__main__":
    main()
