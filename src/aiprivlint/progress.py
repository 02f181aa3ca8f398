"""A progress bar for stderr (only used on a TTY): files done, elapsed time, files per second,
the time left at that rate, and the file the scan waits for when one is slow.

The engine calls the bar with ``(done, total)`` after each result, and with ``pending`` (the
first file whose result has not come back) when it knows one. A background thread redraws the
line ten times a second, so that the elapsed time moves while a slow file is read and, after
``SLOW`` seconds without a result, the line names the file the scan is waiting for.
"""

from __future__ import annotations

import threading
import time


def _clock(seconds: float) -> str:
    seconds = int(seconds)
    h, rest = divmod(seconds, 3600)
    m, s = divmod(rest, 60)
    return f"{h}:{m:02d}:{s:02d}" if h else f"{m}:{s:02d}"


class ProgressBar:
    MIN_FILES = 40  # below this a scan is over before a bar helps
    WIDTH = 24
    HZ = 10
    SLOW = 2.0  # seconds without a result before the line names the file waited for

    def __init__(self, stream, clock=time.monotonic) -> None:
        self.stream = stream
        self.clock = clock
        self.start = clock()
        self.last_result = self.start
        self.done = 0
        self.total = 0
        self.pending: str | None = None
        self.shown = False
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def __call__(self, done: int, total: int, pending: str | None = None) -> None:
        if total < self.MIN_FILES:
            return
        with self._lock:
            if done != self.done:
                self.last_result = self.clock()
            self.done, self.total, self.pending = done, total, pending
        if done >= total:
            self.close()
            return
        if self._thread is None:
            self._draw()
            self._thread = threading.Thread(target=self._run, name="aiprivlint-progress",
                                            daemon=True)
            self._thread.start()

    def line(self) -> str:
        """The text of the bar now (without the terminal codes)."""
        with self._lock:
            done, total, pending, last = self.done, self.total, self.pending, self.last_result
        now = self.clock()
        elapsed = now - self.start
        filled = int(self.WIDTH * done / total) if total else self.WIDTH
        bar = "#" * filled + "-" * (self.WIDTH - filled)
        text = f"scanning [{bar}] {done}/{total} files, {_clock(elapsed)}"
        if done and elapsed > 0:
            rate = done / elapsed
            text += f", {rate:.0f} files/s, ETA {_clock((total - done) / rate)}"
        if pending and now - last >= self.SLOW:
            text += f", waiting for {pending}"
        return text

    def _draw(self) -> None:
        self.stream.write("\r\033[2K" + self.line())
        self.stream.flush()
        self.shown = True

    def _run(self) -> None:
        while not self._stop.wait(1 / self.HZ):
            self._draw()

    def close(self) -> None:
        """Stop redrawing and clear the line."""
        self._stop.set()
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join()
        if self.shown:
            self.stream.write("\r\033[2K")
            self.stream.flush()
            self.shown = False


class ByteProgress:
    """The progress of one large file read in parts (``--full``): bytes read, MB/s and the time
    left at that rate. Called with the bytes of each part done; redrawn on each call."""

    def __init__(self, stream, total: int, name: str, clock=time.monotonic) -> None:
        self.stream = stream
        self.total = max(total, 1)
        self.name = name
        self.clock = clock
        self.start = clock()
        self.done = 0
        self.shown = False

    def __call__(self, nbytes: int) -> None:
        self.done += nbytes
        self.stream.write("\r\033[2K" + self.line())
        self.stream.flush()
        self.shown = True

    def line(self) -> str:
        elapsed = self.clock() - self.start
        mb = 1 << 20
        text = f"reading {self.name}: {self.done / mb:.0f}/{self.total / mb:.0f} MB"
        if self.done and elapsed > 0:
            rate = self.done / elapsed
            text += f", {rate / mb:.1f} MB/s, ETA {_clock((self.total - self.done) / rate)}"
        return text

    def close(self) -> None:
        if self.shown:
            self.stream.write("\r\033[2K")
            self.stream.flush()
            self.shown = False
