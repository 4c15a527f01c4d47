"""Failed attempts counted per key (a client IP) over a sliding window, to slow down token guessing."""

import threading
import time
from collections import deque


class FailureThrottle:
    """At most ``limit`` failures per key in ``window`` seconds; beyond that the key is blocked until old
    failures leave the window. Kept in this process's memory: each HTTP worker counts on its own and a
    restart forgets, so it slows a guessing robot down; the tokens' entropy is what makes guessing hopeless."""

    def __init__(self, limit, window, max_keys=10_000):
        self.limit, self.window, self.max_keys = limit, window, max_keys
        self._failures = {}
        self._lock = threading.Lock()

    def _recent(self, key, now):
        failures = self._failures.get(key)
        while failures and failures[0] <= now - self.window:
            failures.popleft()
        return failures

    def blocked(self, key, now=None):
        now = time.monotonic() if now is None else now
        with self._lock:
            failures = self._recent(key, now)
            return bool(failures) and len(failures) >= self.limit

    def fail(self, key, now=None):
        now = time.monotonic() if now is None else now
        with self._lock:
            if key not in self._failures and len(self._failures) >= self.max_keys:
                # bounded memory: forget the tenth of the keys whose last failure is oldest
                by_age = sorted(self._failures, key=lambda k: self._failures[k][-1] if self._failures[k] else 0)
                for stale in by_age[: self.max_keys // 10]:
                    del self._failures[stale]
            failures = self._recent(key, now)
            if failures is None:
                failures = self._failures[key] = deque()
            failures.append(now)

    def reset(self):
        with self._lock:
            self._failures.clear()
