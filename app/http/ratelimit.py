"""Request budgets, counted in Redis so every API process shares them: a moving
window (the `limits` package) per client address, checked before authentication so
guessing tokens spends budget, and per token after it."""

import math
import time

from limits import RateLimitItem, RateLimitItemPerMinute
from limits.aio.storage import RedisStorage
from limits.aio.strategies import MovingWindowRateLimiter
from redis.asyncio import Redis

from app.core.errors import RateLimited
from app.settings import get_settings


class RateLimits:
    def __init__(self, redis: Redis) -> None:
        # The application's own pool: the same URL, Sentinel and outage handling;
        # Redis errors propagate unwrapped (an outage is a 503, see outages.py).
        # (limits types its options as scalars; its redis-py bridge takes a pool.)
        storage = RedisStorage(
            "async+redis://",
            implementation="redispy",
            connection_pool=redis.connection_pool,  # type: ignore[arg-type]
            key_prefix=f"{get_settings().redis_key_prefix}:rate",
        )
        self.limiter = MovingWindowRateLimiter(storage)

    async def check_client(self, address: str) -> None:
        per_minute = get_settings().rate_limit_per_ip_per_minute
        await self._hit(RateLimitItemPerMinute(per_minute), "ip", address)

    async def check_token(self, token_id: int) -> None:
        per_minute = get_settings().rate_limit_per_minute
        await self._hit(RateLimitItemPerMinute(per_minute), "token", str(token_id))

    async def _hit(self, item: RateLimitItem, *identifiers: str) -> None:
        """Raise RateLimited, with when the oldest request in the window leaves it."""
        if await self.limiter.hit(item, *identifiers):
            return
        stats = await self.limiter.get_window_stats(item, *identifiers)
        raise RateLimited(retry_after=max(1, math.ceil(stats.reset_time - time.time())))
