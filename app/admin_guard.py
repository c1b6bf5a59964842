"""Admin password throttling: too many wrong passwords from one client address lock that address out a while."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

log = logging.getLogger(__name__)

_MAX_TRACKED = 10_000  # addresses remembered at most (oldest forgotten first), so a flood cannot grow memory


class LoginThrottle:
    """Counts failures per client address within a window; at `max_failures` the address is locked out."""

    def __init__(self, max_failures: int = 5, window_s: float = 300.0, lockout_s: float = 300.0,
                 clock: Callable[[], float] = time.monotonic):
        self.max_failures = max_failures
        self.window_s = window_s
        self.lockout_s = lockout_s
        self._clock = clock
        self._failures: dict[str, list[float]] = {}
        self._locked_until: dict[str, float] = {}
        self._lock = threading.Lock()

    def locked_for(self, client: str) -> float:
        """Seconds this address must still wait (0 when it may try)."""
        with self._lock:
            left = self._locked_until.get(client, 0.0) - self._clock()
            if left <= 0:
                self._locked_until.pop(client, None)
                return 0.0
            return left

    def failure(self, client: str) -> None:
        now = self._clock()
        with self._lock:
            recent = [t for t in self._failures.get(client, []) if now - t < self.window_s] + [now]
            self._failures[client] = recent
            if len(recent) >= self.max_failures:
                self._locked_until[client] = now + self.lockout_s
                self._failures.pop(client, None)
                log.warning("admin password: %d wrong attempts from %s, locked out for %.0f s",
                            len(recent), client, self.lockout_s)
            for table in (self._failures, self._locked_until):
                while len(table) > _MAX_TRACKED:
                    table.pop(next(iter(table)))

    def success(self, client: str) -> None:
        with self._lock:
            self._failures.pop(client, None)
