"""Side-by-side measurement: two arms run interleaved in one process, every figure a
ratio of the two.

A round runs each arm once (A, B in even rounds, B, A in odd ones, so a slow spell
of the shared machine hits both); the first `warmup` rounds are discarded. A figure
is the median of the per-round ratios with their min–max and interquartile range.
"""

import statistics
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass

Arm = Callable[[], Awaitable[float]]


@dataclass(frozen=True)
class Target:
    """`ratio <= bound` (op "<=") or `ratio >= bound` (op ">=")."""

    op: str
    bound: float

    def met(self, value: float) -> bool:
        return value <= self.bound if self.op == "<=" else value >= self.bound

    def __str__(self) -> str:
        return f"{'≤' if self.op == '<=' else '≥'} {self.bound:g}"


@dataclass(frozen=True)
class Figure:
    name: str
    ratio: float
    low: float
    high: float
    q1: float
    q3: float
    rounds: int
    target: Target
    arms: str  # what was divided by what, with each arm's median

    @property
    def ok(self) -> bool:
        return self.target.met(self.ratio)


@dataclass(frozen=True)
class Arms:
    """Each arm's per-round values (warm-up rounds dropped)."""

    a: list[float]
    b: list[float]

    def figure(
        self, name: str, target: Target, *, unit: str = "ms", scale: float = 1000
    ) -> Figure:
        """The ratio a / b of each round, summarized."""
        return summarize(
            name,
            [x / y for x, y in zip(self.a, self.b, strict=True)],
            target,
            arms=f"{statistics.median(self.a) * scale:.3g} / "
            f"{statistics.median(self.b) * scale:.3g} {unit}",
        )


def summarize(name: str, ratios: Sequence[float], target: Target, arms: str) -> Figure:
    ordered = sorted(ratios)
    q1, _, q3 = (
        statistics.quantiles(ordered, n=4) if len(ordered) > 1 else [ordered[0]] * 3
    )
    return Figure(
        name=name,
        ratio=statistics.median(ordered),
        low=ordered[0],
        high=ordered[-1],
        q1=q1,
        q3=q3,
        rounds=len(ordered),
        target=target,
        arms=arms,
    )


async def interleave(a: Arm, b: Arm, *, rounds: int = 7, warmup: int = 1) -> Arms:
    """Run the arms alternately `warmup + rounds` times; each returns its value."""
    values: dict[str, list[float]] = {"a": [], "b": []}
    for i in range(warmup + rounds):
        order = [("a", a), ("b", b)] if i % 2 == 0 else [("b", b), ("a", a)]
        for key, arm in order:
            value = await arm()
            if i >= warmup:
                values[key].append(value)
    return Arms(values["a"], values["b"])


async def median_of(repeat: int, step: Callable[[], Awaitable[float]]) -> float:
    """The median of `repeat` timings of one step (one arm's value in a round)."""
    return statistics.median([await step() for _ in range(repeat)])
