"""A small progress bar for stderr (only used on a TTY)."""

from __future__ import annotations

import time


class ProgressBar:
    MIN_FILES = 40  # below this a scan is over before a bar helps
    WIDTH = 30

    def __init__(self, stream) -> None:
        self.stream = stream
        self.last = 0.0
        self.shown = False

    def __call__(self, done: int, total: int) -> None:
        if total < self.MIN_FILES:
            return
        now = time.monotonic()
        if done < total and now - self.last < 0.1:
            return
        self.last = now
        filled = int(self.WIDTH * done / total) if total else self.WIDTH
        bar = "#" * filled + "-" * (self.WIDTH - filled)
        self.stream.write(f"\r\033[2Kscanning [{bar}] {done}/{total} files")
        self.shown = True
        if done >= total:
            self.stream.write("\r\033[2K")
        self.stream.flush()
