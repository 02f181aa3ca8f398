"""The progress bar's line: files done, elapsed time, rate, time left, and the file a slow scan
waits for (the clock is an input, so the test needs no sleeping)."""

from __future__ import annotations

import io

from aiprivlint.progress import ProgressBar


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_the_line_says_elapsed_rate_eta_and_the_file_a_slow_scan_waits_for():
    clock, out = Clock(), io.StringIO()
    bar = ProgressBar(out, clock=clock)
    try:
        bar(0, 200, "a.py")
        assert bar.line().startswith("scanning [") and "0/200 files, 0:00" in bar.line()
        clock.now += 10
        bar(50, 200, "big.ipynb")
        line = bar.line()
        assert "50/200 files, 0:10, 5 files/s, ETA 0:30" in line and "waiting" not in line
        clock.now += ProgressBar.SLOW + 1
        assert bar.line().endswith("waiting for big.ipynb")
    finally:
        bar.close()
    assert out.getvalue().endswith("\r\033[2K")  # the line is cleared at the end


def test_small_scans_get_no_bar():
    out = io.StringIO()
    bar = ProgressBar(out)
    bar(1, ProgressBar.MIN_FILES - 1, "x.py")
    bar.close()
    assert out.getvalue() == ""
