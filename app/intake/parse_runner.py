"""Run parse_stored in a child process with a hard time limit and a memory cap.

A hostile message (pathological nesting, huge headers) can make the standard parser
slow or greedy; in a child process it can be killed without touching the worker.
The child ends with its worker, also when the worker is killed (SIGKILL gives the
worker no chance to stop it): the kernel signals it when its parent dies (Linux),
and a thread of its own watches for that everywhere else.
"""

import asyncio
import concurrent.futures
import contextlib
import ctypes
import ctypes.util
import multiprocessing
import os
import resource
import signal
import sys
import threading
import time
from collections.abc import AsyncIterator

from app.core.limits import limits
from app.intake.keeping import Keep, parse_stored
from app.intake.parsed import ParsedMessage
from app.settings import get_settings

CHILD_START_SECONDS = 60.0  # spawning a child and importing the parser

_lock = threading.Lock()


class ParseTimeout(Exception):
    pass


class ParseCrashed(Exception):
    pass


PR_SET_PDEATHSIG = 1  # linux/prctl.h
PARENT_POLL_SECONDS = 1.0


def _init_child(parent_pid: int) -> None:
    """In the child, before any parse: die with the parent, cap the memory."""
    _die_with_parent(parent_pid)
    resource.setrlimit(resource.RLIMIT_AS, (limits().parse_child_memory_bytes,) * 2)


def _die_with_parent(parent_pid: int) -> None:
    if sys.platform.startswith("linux"):
        try:
            libc = ctypes.CDLL(ctypes.util.find_library("c"), use_errno=True)
            libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
        except (OSError, AttributeError):
            pass  # the watch thread still ends it
    if os.getppid() != parent_pid:  # it died before the line above
        os._exit(1)
    threading.Thread(
        target=_watch_parent, args=(parent_pid,), name="parent-watch", daemon=True
    ).start()


def _watch_parent(parent_pid: int) -> None:
    while os.getppid() == parent_pid:
        time.sleep(PARENT_POLL_SECONDS)
    os._exit(1)  # orphaned: re-parented to init or a subreaper


class _Child:
    """One parse process, a pool of one so that it can be killed alone: a message
    that times out or exhausts its child takes no other parse down with it."""

    def __init__(self) -> None:
        self._pool: concurrent.futures.ProcessPoolExecutor | None = None
        self._started = False

    async def start(self) -> None:
        """Have the process up (spawned, its imports done): a parse's time limit
        is the parse's, not the start-up's."""
        if not self._started:
            loop = asyncio.get_running_loop()
            await loop.run_in_executor(self.executor(), os.getpid)
            self._started = True

    def executor(self) -> concurrent.futures.ProcessPoolExecutor:
        if self._pool is None:
            self._pool = concurrent.futures.ProcessPoolExecutor(
                max_workers=1,
                mp_context=multiprocessing.get_context("spawn"),
                initializer=_init_child,
                initargs=(os.getpid(),),
            )
        return self._pool

    def kill(self) -> None:
        """End the process now (it may be stuck); the next parse starts afresh."""
        pool, self._pool = self._pool, None
        self._started = False
        if pool is not None:
            for process in list(getattr(pool, "_processes", {}).values()):
                process.kill()  # no public API kills a busy worker of the pool
            pool.shutdown(wait=False, cancel_futures=True)


class _Children:
    """PARSE_PROCESSES children, each running one parse at a time. A parse waits
    for an idle child before its time limit starts, so waiting behind a slow
    message never counts against a small one."""

    def __init__(self) -> None:
        self._idle: list[_Child] = []
        self._all: list[_Child] = []
        self._free: dict[tuple[asyncio.AbstractEventLoop, int], asyncio.Semaphore] = {}

    @contextlib.asynccontextmanager
    async def child(self) -> AsyncIterator[_Child]:
        size = get_settings().parse_processes or os.cpu_count() or 1
        loop = asyncio.get_running_loop()
        with _lock:
            free = self._free.get((loop, size))
            if free is None:
                # One loop per process in a worker; tests run one loop at a time.
                self._free = {(loop, size): (free := asyncio.Semaphore(size))}
        async with free:
            with _lock:
                if not self._idle:
                    self._all.append(_Child())
                    self._idle.append(self._all[-1])
                child = self._idle.pop()
            try:
                yield child
            finally:
                with _lock:
                    self._idle.append(child)

    def kill_all(self) -> None:
        with _lock:
            children = list(self._all)
        for child in children:
            child.kill()


_children = _Children()


async def parse_in_child(source: str | bytes, keep: Keep) -> ParsedMessage:
    """parse_stored in an idle child, within PARSE_TIMEOUT_SECONDS of its start:
    the message at a path (or its bytes), the attachments kept as `keep` says."""
    loop = asyncio.get_running_loop()
    limit_seconds = get_settings().parse_timeout_seconds
    async with _children.child() as child:
        try:
            await asyncio.wait_for(child.start(), CHILD_START_SECONDS)
            future = loop.run_in_executor(child.executor(), parse_stored, source, keep)
            return await asyncio.wait_for(future, limit_seconds)
        except TimeoutError:
            child.kill()
            raise ParseTimeout(
                f"parsing took longer than {limit_seconds:g} s"
            ) from None
        except (concurrent.futures.process.BrokenProcessPool, MemoryError) as exc:
            child.kill()
            raise ParseCrashed(
                f"the parser ran out of resources ({type(exc).__name__})"
            ) from None
        except asyncio.CancelledError:
            child.kill()  # the job stopped; its parse must not hold the child
            raise


def shutdown_parser() -> None:
    _children.kill_all()
