"""The worker pool (``aiprivlint.pool``) with real processes: results in order, an item that kills
its worker is reported and the rest still computed, a worker killed while it sends its reply does
not hang the run (the shared result pipe of ``ProcessPoolExecutor`` did), errors cross over."""

from __future__ import annotations

import multiprocessing
import os
import signal
import subprocess
import sys
import threading
import time

import pytest

from aiprivlint.pool import DIED, Pool, RemoteTraceback

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="fork context")
CTX = multiprocessing.get_context("fork") if sys.platform.startswith("linux") else None
BIG = 64 * 1024 * 1024  # a reply that takes many writes to send


def _setup(tag: str) -> None:
    os.environ["POOL_TEST_TAG"] = tag


def _square(x: int) -> tuple[int, str]:
    return x * x, os.environ.get("POOL_TEST_TAG", "")


def _die_on_7(x: int) -> int:
    if x == 7:
        os.kill(os.getpid(), signal.SIGKILL)
    return x


def _die_while_replying(x: int) -> bytes | int:
    if x != 3:
        return x
    # the reply is 64 MB: the kill lands while it is being written (or just before)
    threading.Timer(0.05, os.kill, (os.getpid(), signal.SIGKILL)).start()
    return b"\0" * BIG


def _raise_on_2(x: int) -> int:
    if x == 2:
        raise ValueError("two")
    return x


def test_results_in_order_with_the_initializer_run_once_per_worker():
    pool = Pool(2, _setup, ("ready",), CTX)
    try:
        seen: list[int] = []
        got = pool.run(_square, list(range(50)), chunk=4, on_done=seen.append)
        assert got == [(x * x, "ready") for x in range(50)]
        assert sorted(seen) == list(range(50))
        assert pool.run(_square, [3]) == [(9, "ready")]  # a pool runs again
    finally:
        pool.close()


def test_an_item_that_kills_its_worker_is_died_and_the_rest_is_computed():
    pool = Pool(2, _setup, ("x",), CTX)
    try:
        got = pool.run(_die_on_7, list(range(20)), chunk=5)
        assert got[7] is DIED
        assert [g for i, g in enumerate(got) if i != 7] == [x for x in range(20) if x != 7]
    finally:
        pool.close()


def test_a_worker_killed_while_it_sends_its_reply_does_not_hang_the_run():
    # in a subprocess with a timeout: the failure this guards against is a hang
    code = ("import multiprocessing, sys; sys.path.insert(0, %r)\n"
            "from test_pool import _die_while_replying, _setup\n"
            "from aiprivlint.pool import DIED, Pool\n"
            "pool = Pool(2, _setup, ('x',), multiprocessing.get_context('fork'))\n"
            "got = pool.run(_die_while_replying, list(range(8)), chunk=2)\n"
            "pool.close()\n"
            "print(got[3] is DIED, [g for i, g in enumerate(got) if i != 3])\n"
            % os.path.dirname(__file__))
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "True [0, 1, 2, 4, 5, 6, 7]"


def test_an_exception_in_a_worker_is_raised_with_its_traceback():
    pool = Pool(2, _setup, ("x",), CTX)
    try:
        with pytest.raises(ValueError, match="two") as info:
            pool.run(_raise_on_2, list(range(6)))
        assert isinstance(info.value.__cause__, RemoteTraceback)
        assert "_raise_on_2" in str(info.value.__cause__)
    finally:
        pool.close()


def test_close_leaves_no_worker_behind():
    pool = Pool(3, _setup, ("x",), CTX)
    procs = [w.proc for w in pool._workers]
    pool.run(_square, list(range(6)))
    start = time.monotonic()
    pool.close()
    assert time.monotonic() - start < 10
    assert not any(p.is_alive() for p in procs)
