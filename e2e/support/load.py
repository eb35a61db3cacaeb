"""The shape every load generator of the e2e suites shares: threads that run until the `with` block ends."""
import threading


class LoadThreads:
    """Subclasses fill `threads` with targets that loop until `stop_event` is set, and record under `lock`. The
    `with` block starts them; leaving it stops them and fails if one is still running `join_seconds` later."""

    join_seconds = 15

    def __init__(self):
        self.stop_event, self.lock = threading.Event(), threading.Lock()
        self.threads: list[threading.Thread] = []

    def __enter__(self):
        for thread in self.threads:
            thread.start()
        return self

    def __exit__(self, *exc):
        self.stop_event.set()
        for thread in self.threads:
            thread.join(timeout=self.join_seconds)
        assert not any(thread.is_alive() for thread in self.threads), "a load thread did not stop"
