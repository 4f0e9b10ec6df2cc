"""Failed sign-ins, counted per username and per client address from the database.

Every attempt is recorded in the ``sign_in_attempt`` table (`ketapath.store.repositories.access`),
and the throttle counts the recent failures there, so that the limits hold across the server's
worker processes and its restarts. The policy is the same wherever the count comes from: within a
sliding window (the last `window` up to now), a username's failures since its last success, and
an address's failures (a success does not forget those: they may be another user's). Attempts
refused unchecked are not failures: waiting out the window is enough, whatever was tried
meanwhile.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from ketapath.errors import InputError
from ketapath.store.repositories.access import AccessRepository

__all__ = ["LoginThrottle"]


def _wait_s(
    times: tuple[datetime, ...], limit: int, window: timedelta, now: datetime
) -> int | None:
    """Seconds until fewer than `limit` of `times` (newest first) are in the window, or None."""
    if len(times) < limit:
        return None
    reopen = times[limit - 1] + window
    return max(1, math.ceil((reopen - now).total_seconds()))


@dataclass(frozen=True, slots=True, kw_only=True)
class LoginThrottle:
    """The sign-in policy: how many failures, within which sliding window.

    Parameters
    ----------
    max_failures_per_username : int
        Failures allowed for one username within `window`; the next attempt is refused.
    max_failures_per_address : int
        Failures allowed from one client address within `window` (higher: a clinic's
        workstations may share one address).
    window : timedelta
        How far back failures count.

    Raises
    ------
    InputError
        When a limit is below 1 or the window is not positive.
    """

    max_failures_per_username: int = 5
    max_failures_per_address: int = 20
    window: timedelta = timedelta(minutes=5)

    def __post_init__(self) -> None:
        for name in ("max_failures_per_username", "max_failures_per_address"):
            value = getattr(self, name)
            if not isinstance(value, int) or value < 1:
                raise InputError(f"`{name}` must be an integer >= 1 (got {value!r}).", field=name)
        if self.window <= timedelta(0):
            msg = f"`window` must be longer than zero (got {self.window})."
            raise InputError(msg, field="window", value=self.window)

    def retry_after_s(
        self, attempts: AccessRepository, username: str, address: str | None, *, now: datetime
    ) -> int | None:
        """Return the seconds to wait before another attempt, or None when one is allowed.

        Parameters
        ----------
        attempts : AccessRepository
            The recorded attempts, in the sign-in's transaction.
        username : str
            As typed (counted stripped and casefolded).
        address : str or None
            The client address; None counts the username only.
        now : datetime
            The services' clock.
        """
        since, window = now - self.window, self.window
        limit = self.max_failures_per_username
        times = attempts.list_username_failures(username, since=since, until=now, limit=limit)
        waits = [_wait_s(times, limit, window, now)]
        if address:
            limit = self.max_failures_per_address
            times = attempts.list_address_failures(address, since=since, until=now, limit=limit)
            waits.append(_wait_s(times, limit, window, now))
        found = [wait for wait in waits if wait is not None]
        return max(found) if found else None
