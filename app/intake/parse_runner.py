"""Run parse_message in a child process with a hard time limit and a memory cap.

A hostile message (pathological nesting, huge headers) can make the standard parser
slow or greedy; in a child process it can be killed without touching the worker.
The child ends with its worker, also when the worker is killed (SIGKILL gives the
worker no chance to stop it): the kernel signals it when its parent dies (Linux),
and a thread of its own watches for that everywhere else.
"""

import asyncio
import concurrent.futures
import ctypes
import ctypes.util
import multiprocessing
import os
import resource
import signal
import sys
import threading
import time

from app.core.limits import limits
from app.intake.parsing import ParsedMessage, parse_message

PARSE_TIMEOUT_SECONDS = 60.0

_lock = threading.Lock()
_pool: concurrent.futures.ProcessPoolExecutor | None = None


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


def _get_pool() -> concurrent.futures.ProcessPoolExecutor:
    global _pool
    with _lock:
        if _pool is None:
            _pool = concurrent.futures.ProcessPoolExecutor(
                max_workers=1,
                mp_context=multiprocessing.get_context("spawn"),
                initializer=_init_child,
                initargs=(os.getpid(),),
            )
        return _pool


def _discard_pool() -> None:
    """Kill the child (it may be stuck) and start afresh next time."""
    global _pool
    with _lock:
        pool, _pool = _pool, None
    if pool is not None:
        for process in list(getattr(pool, "_processes", {}).values()):
            process.kill()  # no public API kills a busy worker of the pool
        pool.shutdown(wait=False, cancel_futures=True)


async def parse_in_child(
    raw: bytes, limit_seconds: float = PARSE_TIMEOUT_SECONDS
) -> ParsedMessage:
    loop = asyncio.get_running_loop()
    future = loop.run_in_executor(_get_pool(), parse_message, raw)
    try:
        return await asyncio.wait_for(future, limit_seconds)
    except TimeoutError:
        _discard_pool()
        raise ParseTimeout(f"parsing took longer than {limit_seconds:.0f} s") from None
    except (concurrent.futures.process.BrokenProcessPool, MemoryError) as exc:
        _discard_pool()
        raise ParseCrashed(
            f"the parser ran out of resources ({type(exc).__name__})"
        ) from None


def shutdown_parser() -> None:
    _discard_pool()
