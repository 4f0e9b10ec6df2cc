"""Failed sign-ins, counted per username and per client address, in this process's memory.

The counts live in one process: a server run with several worker processes counts per worker,
and a restart forgets them. That is enough to slow password guessing against one clinic's
server; a deployment behind several processes should add a shared limiter in front.
"""

from __future__ import annotations

import math
import threading
from collections import deque
from dataclasses import dataclass, field
from datetime import datetime, timedelta

__all__ = ["LoginThrottle"]


@dataclass(slots=True, kw_only=True)
class LoginThrottle:
    """A sliding-window count of failed sign-ins.

    Parameters
    ----------
    max_failures_per_username : int
        Failures allowed for one username within `window`; the next attempt is refused.
    max_failures_per_address : int
        Failures allowed from one client address within `window` (higher: a clinic's
        workstations may share one address).
    window : timedelta
        How far back failures count.
    """

    max_failures_per_username: int = 5
    max_failures_per_address: int = 20
    window: timedelta = timedelta(minutes=5)
    _failures: dict[str, deque[datetime]] = field(default_factory=dict, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def _keys(self, username: str, address: str | None) -> list[tuple[str, int]]:
        keys = [(f"user:{username.strip().casefold()}", self.max_failures_per_username)]
        if address:
            keys.append((f"address:{address}", self.max_failures_per_address))
        return keys

    def _recent(self, key: str, now: datetime) -> deque[datetime]:
        times = self._failures.setdefault(key, deque())
        while times and times[0] <= now - self.window:
            times.popleft()
        if not times:
            del self._failures[key]
        return times

    def retry_after_s(self, username: str, address: str | None, *, now: datetime) -> int | None:
        """Return the seconds to wait before another attempt, or None when one is allowed."""
        waits = []
        with self._lock:
            for key, limit in self._keys(username, address):
                times = self._recent(key, now)
                if len(times) >= limit:
                    reopen = times[len(times) - limit] + self.window
                    waits.append(max(1, math.ceil((reopen - now).total_seconds())))
        return max(waits) if waits else None

    def record_failure(self, username: str, address: str | None, *, now: datetime) -> None:
        """Count one failed attempt for the username and for the address."""
        with self._lock:
            for key, _ in self._keys(username, address):
                self._failures.setdefault(key, deque()).append(now)

    def record_success(self, username: str) -> None:
        """Forget the username's failures (the address's stay: they may be another user's)."""
        with self._lock:
            self._failures.pop(f"user:{username.strip().casefold()}", None)
