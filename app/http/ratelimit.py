"""Per-token request budget, counted in Redis so every API process shares it."""

import time

from redis.asyncio import Redis

from app.core.errors import RateLimited
from app.settings import get_settings

WINDOW_SECONDS = 60


async def check_rate_limit(redis: Redis, token_id: int) -> None:
    """Fixed one-minute windows; raise RateLimited when the budget is spent."""
    settings = get_settings()
    window = int(time.time() // WINDOW_SECONDS)
    key = f"{settings.redis_key_prefix}:rate:{token_id}:{window}"
    async with redis.pipeline(transaction=True) as pipe:
        pipe.incr(key)
        pipe.expire(key, WINDOW_SECONDS * 2)
        count, _ = await pipe.execute()
    if count > settings.rate_limit_per_minute:
        raise RateLimited(
            retry_after=WINDOW_SECONDS - int(time.time()) % WINDOW_SECONDS
        )
