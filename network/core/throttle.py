"""Counts of recent attempts (failed logins, reset requests) shared by every worker.

In the database by default, in Redis when REDIS_URL is set. Both keep a sliding window.
While Redis cannot be reached the database counts instead, which every server shares too, so
the limits still hold and logins still work (docs/decisions.md, 2026-12-06).
"""

from __future__ import annotations

import logging
import uuid
from datetime import UTC, datetime, timedelta
from functools import cache

from flask import current_app
from sqlalchemy import String, delete, func, select
from sqlalchemy.orm import Mapped, mapped_column

from network.core.time import now
from network.extensions import db


class ThrottleHit(db.Model):
    __tablename__ = "throttle_hit"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(300), index=True)
    at: Mapped[datetime] = mapped_column(index=True)


# The longest window a limit counts in; hits are kept longer (RETAIN_THROTTLE_DAYS, for looking
# back at an attack), trimmed here at each new one and by the daily retention job.
KEEP_HITS_FOR = timedelta(days=1)


def keep_hits_for() -> timedelta:
    return max(KEEP_HITS_FOR, timedelta(days=current_app.config.get("RETAIN_THROTTLE_DAYS", 1)))


class DatabaseThrottle:
    """Hits are rows, written in the request's own transaction (SQLite has one writer)."""

    def count(self, key: str, window: int) -> int:
        since = now() - timedelta(seconds=window)
        return db.session.scalar(
            select(func.count()).select_from(ThrottleHit)
            .where(ThrottleHit.key == key, ThrottleHit.at > since)
        ) or 0

    def oldest(self, key: str, window: int) -> datetime | None:
        since = now() - timedelta(seconds=window)
        return db.session.scalar(
            select(func.min(ThrottleHit.at)).where(ThrottleHit.key == key, ThrottleHit.at > since)
        )

    def hit(self, key: str, window: int) -> None:
        moment = now()
        db.session.execute(delete(ThrottleHit).where(ThrottleHit.at < moment - keep_hits_for()))
        db.session.add(ThrottleHit(key=key, at=moment))

    def clear(self, key: str) -> None:
        db.session.execute(delete(ThrottleHit).where(ThrottleHit.key == key))


log = logging.getLogger("network.throttle")

# After Redis fails, the database counts for this long before Redis is asked again.
REDIS_RETRY_AFTER = timedelta(seconds=30)
# A Redis that does not answer holds a login up this long at most (seconds).
REDIS_TIMEOUT = 1.0


class RedisThrottle:
    """Hits are members of a sorted set scored by time, for several app servers."""

    def __init__(self, url: str) -> None:
        import redis

        self.redis = redis.Redis.from_url(url, socket_connect_timeout=REDIS_TIMEOUT,
                                          socket_timeout=REDIS_TIMEOUT)

    def _trim(self, key: str, window: int) -> None:
        self.redis.zremrangebyscore(key, 0, now().timestamp() - window)

    def count(self, key: str, window: int) -> int:
        self._trim(key, window)
        return int(self.redis.zcard(key))

    def oldest(self, key: str, window: int) -> datetime | None:
        self._trim(key, window)
        first = self.redis.zrange(key, 0, 0, withscores=True)
        return datetime.fromtimestamp(first[0][1], UTC) if first else None

    def hit(self, key: str, window: int) -> None:
        pipe = self.redis.pipeline()
        pipe.zadd(key, {uuid.uuid4().hex: now().timestamp()})
        pipe.expire(key, window)
        pipe.execute()

    def clear(self, key: str) -> None:
        self.redis.delete(key)


class RedisOrDatabase:
    """Redis while it answers; the database for REDIS_RETRY_AFTER after it does not, with a
    warning in the log each time it is found gone."""

    def __init__(self, url: str) -> None:
        from redis import exceptions

        self.redis = RedisThrottle(url)
        self.database = DatabaseThrottle()
        self.unreachable = (exceptions.ConnectionError, exceptions.TimeoutError)
        self.down_until: datetime | None = None

    def _call(self, name: str, *args):
        if self.down_until is None or now() >= self.down_until:
            try:
                result = getattr(self.redis, name)(*args)
            except self.unreachable as error:
                self.down_until = now() + REDIS_RETRY_AFTER
                log.warning("Redis cannot be reached (%s): login limits are counted in the "
                            "database, and Redis is tried again in %d seconds.", error,
                            REDIS_RETRY_AFTER.total_seconds())
            else:
                self.down_until = None
                return result
        return getattr(self.database, name)(*args)

    def count(self, key: str, window: int) -> int:
        return self._call("count", key, window)

    def oldest(self, key: str, window: int) -> datetime | None:
        return self._call("oldest", key, window)

    def hit(self, key: str, window: int) -> None:
        self._call("hit", key, window)

    def clear(self, key: str) -> None:
        self._call("clear", key)


@cache
def _redis_throttle(url: str) -> RedisOrDatabase:
    return RedisOrDatabase(url)


def backend() -> DatabaseThrottle | RedisOrDatabase:
    url = current_app.config.get("REDIS_URL")
    return _redis_throttle(url) if url else DatabaseThrottle()


def seconds_blocked(key: str, limit: tuple[int, int]) -> int:
    """0 if another attempt is allowed under (attempts, window seconds), else seconds to wait."""
    attempts, window = limit
    store = backend()
    if store.count(key, window) < attempts:
        return 0
    oldest = store.oldest(key, window)
    if oldest is None:
        return 0
    return max(1, int((oldest + timedelta(seconds=window) - now()).total_seconds()) + 1)


def attempts(key: str, limit: tuple[int, int]) -> int:
    """How many hits the key has inside the limit's window."""
    return backend().count(key, limit[1])


def hit(key: str, limit: tuple[int, int]) -> None:
    backend().hit(key, limit[1])


def clear(key: str) -> None:
    backend().clear(key)
