"""A process pool whose workers may die (a native parser's segfault, the OOM killer) without
taking the run with them.

``concurrent.futures.ProcessPoolExecutor`` gives its workers one shared result pipe, guarded by a
lock between processes. A worker killed while it writes a result leaves that lock held and half a
message in the pipe: the executor's manager thread then waits for the rest of the message, never
looks at the dead worker, and the run hangs (seen on CPython 3.11: the scan's main thread waiting
on a future, the manager thread in ``Connection.recv``, the surviving worker blocked on the lock).

Here every worker has a pipe of its own that only it writes. When it dies, its end closes: the
parent reads end-of-file instead of waiting, and knows exactly which task the dead worker held.
That task's items are run again one at a time; an item whose worker dies a second time, alone, is
reported as ``DIED`` and everything else is still computed.
"""

from __future__ import annotations

import multiprocessing
import signal
import time
import traceback
from collections import deque
from collections.abc import Callable, Iterable
from itertools import islice
from multiprocessing.connection import Connection, wait
from typing import Any

CLOSE_GRACE_SECONDS = 2.0  # an idle worker's time to leave on its own before it is killed


class _Died:
    def __repr__(self) -> str:
        return "DIED"


DIED: Any = _Died()  # the result of an item that killed its worker twice
_PENDING: Any = object()


class RemoteTraceback(Exception):
    """The traceback of an exception raised in a worker (its ``__cause__``)."""


def _serve(conn: Connection, initializer: Callable[..., None], initargs: tuple) -> None:
    """A worker: set up once, then run tasks (a function and its items) until told to stop."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    initializer(*initargs)
    while True:
        try:
            task = conn.recv()
        except (EOFError, OSError):  # the parent is gone
            return
        if task is None:
            return
        fn, items = task
        try:
            reply: tuple = (True, [fn(x) for x in items], "")
        except Exception as exc:  # noqa: BLE001 - the parent re-raises it
            reply = (False, _portable(exc), traceback.format_exc())
        conn.send(reply)


def _portable(exc: Exception) -> Exception:
    import pickle

    try:
        pickle.loads(pickle.dumps(exc))
        return exc
    except Exception:  # noqa: BLE001 - an exception that cannot cross processes
        return RuntimeError(type(exc).__name__)


class _Worker:
    __slots__ = ("proc", "conn", "task")

    def __init__(self, proc: Any, conn: Connection) -> None:
        self.proc = proc
        self.conn = conn
        self.task: tuple[list[int], int] | None = None  # (item indices, earlier deaths)


class Pool:
    """``jobs`` worker processes, started at once (they run ``initializer`` while the caller
    goes on). ``run`` may be called several times; ``close`` ends them."""

    def __init__(self, jobs: int, initializer: Callable[..., None], initargs: tuple,
                 ctx: Any = None) -> None:
        self._ctx = ctx or multiprocessing.get_context()
        self._init = (initializer, initargs)
        self._workers = [self._start() for _ in range(jobs)]

    def _start(self) -> _Worker:
        here, there = self._ctx.Pipe()
        proc = self._ctx.Process(target=_serve, args=(there, *self._init),
                                 name="aiprivlint-worker")
        proc.start()
        there.close()  # the worker holds the only other end: its death closes the pipe
        return _Worker(proc, here)

    def _replace(self, dead: _Worker) -> None:
        _end(dead, kill=True)
        self._workers[self._workers.index(dead)] = self._start()

    def run(self, fn: Callable[[Any], Any], items: Iterable[Any], chunk: int = 1,
            on_done: Callable[[int], None] | None = None) -> list[Any]:
        """``fn`` over ``items``, results in their order; ``on_done(i)`` as each one arrives.
        An exception raised by ``fn`` is raised here (its traceback as the cause). ``items``
        may be an iterator: it is drawn from only when a worker is free, so what makes the
        items (the cuts of a file) runs while the workers scan the earlier ones."""
        source = iter(items)
        drawn: list[Any] = []
        out: list[Any] = []
        queue: deque[tuple[list[int], int]] = deque()

        def draw() -> bool:
            got = list(islice(source, chunk))
            if not got:
                return False
            queue.append((list(range(len(drawn), len(drawn) + len(got))), 0))
            drawn.extend(got)
            out.extend([_PENDING] * len(got))
            return True

        def settle(i: int, value: Any) -> None:
            out[i] = value
            if on_done is not None:
                on_done(i)

        def died(task: tuple[list[int], int]) -> None:
            indices, deaths = task
            if len(indices) > 1:  # one of them is the culprit, perhaps: each runs alone
                queue.extendleft(([i], 1) for i in reversed(indices))
            elif deaths == 0:
                queue.appendleft((indices, 1))
            else:
                settle(indices[0], DIED)

        while True:
            for w in list(self._workers):
                if w.task is None and (queue or draw()):
                    task = queue.popleft()
                    try:
                        w.conn.send((fn, [drawn[i] for i in task[0]]))
                        w.task = task
                    except OSError:  # it died while idle: the task never reached it
                        self._replace(w)
                        died(task)
            busy = [w for w in self._workers if w.task is not None]
            if not busy:
                return out
            ready = set(wait([w.conn for w in busy] + [w.proc.sentinel for w in busy]))
            for w in busy:
                if w.conn not in ready and w.proc.sentinel not in ready:
                    continue
                task, w.task = w.task, None
                try:
                    if not w.conn.poll():  # only the sentinel: it exited without a reply
                        raise EOFError
                    ok, payload, remote_tb = w.conn.recv()  # EOFError if it died mid-reply
                except (EOFError, OSError):
                    self._replace(w)
                    died(task)  # type: ignore[arg-type]
                    continue
                if not ok:
                    raise payload from RemoteTraceback(remote_tb)
                for i, value in zip(task[0], payload):  # type: ignore[index]
                    settle(i, value)

    def close(self) -> None:
        for w in self._workers:
            if w.task is None:
                try:
                    w.conn.send(None)
                except OSError:
                    pass
        deadline = time.monotonic() + CLOSE_GRACE_SECONDS
        for w in self._workers:
            _end(w, kill=w.task is not None, deadline=deadline)
        self._workers = []


def _end(w: _Worker, kill: bool, deadline: float | None = None) -> None:
    if not kill:
        w.proc.join(max(0.0, (deadline or 0.0) - time.monotonic()))
    if w.proc.is_alive():
        w.proc.kill()
    w.proc.join()
    w.conn.close()
