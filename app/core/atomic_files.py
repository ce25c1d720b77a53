"""Writing a file so that readers see all of it or nothing, and a process killed
mid-write leaves nothing behind.

On Linux the bytes go to an unnamed file (`O_TMPFILE`) that gets its name only once
complete: a `kill -9` during a 25 MB write frees the space with the process. Where the
file system cannot do that, a `.partial-` file is written and renamed instead.
`whole_file` writes in pieces (a stream whose name is known only at its end, as
content-addressed blobs are); `write_whole` writes bytes already in memory.
"""

import contextlib
import errno
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

PARTIAL_PREFIX = ".partial-"


class WholeFile:
    """A file being written in `directory`, nameless (or `.partial-`) until
    `name` gives it its path on the same file system."""

    def __init__(self, directory: Path) -> None:
        directory.mkdir(parents=True, exist_ok=True)
        self._directory = directory
        self._partial: str | None = None
        try:
            fd = os.open(directory, os.O_TMPFILE | os.O_RDWR, 0o600)
        except AttributeError:  # not Linux
            fd = -1
        except OSError as error:
            if error.errno not in _NO_TMPFILE:
                raise
            fd = -1
        if fd < 0:
            fd, self._partial = tempfile.mkstemp(dir=directory, prefix=PARTIAL_PREFIX)
        self.file: BinaryIO = os.fdopen(fd, "w+b")

    def name(self, path: Path, *, replace: bool) -> None:
        """Give the complete file its name. With `replace=False` an existing file
        stays as it is (content-addressed stores: same name, same bytes)."""
        self.file.flush()
        path.parent.mkdir(parents=True, exist_ok=True)
        if self._partial is None:
            try:
                _name(self.file.fileno(), path)
                return
            except FileExistsError:
                if not replace:
                    return  # replacing: a renamed copy, never a missing name
            except OSError:  # no /proc, or a file system that cannot link it
                pass
            self._copy_to_partial()
        assert self._partial is not None
        if replace:
            os.replace(self._partial, path)
            self._partial = None
        else:
            with contextlib.suppress(FileExistsError):
                os.link(self._partial, path)

    def _copy_to_partial(self) -> None:
        fd, self._partial = tempfile.mkstemp(dir=self._directory, prefix=PARTIAL_PREFIX)
        with os.fdopen(fd, "wb") as partial:
            self.file.seek(0)
            shutil.copyfileobj(self.file, partial)

    def close(self) -> None:
        self.file.close()
        if self._partial is not None:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(self._partial)
            self._partial = None


@contextlib.contextmanager
def whole_file(directory: Path) -> Iterator[WholeFile]:
    """A WholeFile in `directory`; unnamed when the block ends, it is gone."""
    whole = WholeFile(directory)
    try:
        yield whole
    finally:
        whole.close()


def write_whole(path: Path, data: bytes, *, replace: bool = True) -> None:
    """Write `data` to `path` atomically. With `replace=False` an existing file
    stays as it is (content-addressed stores: same name, same bytes)."""
    with whole_file(path.parent) as whole:
        whole.file.write(data)
        whole.name(path, replace=replace)


def _name(fd: int, path: Path) -> None:
    """Give the unnamed file `fd` the name `path`: linkat(2) of /proc/self/fd/N with
    AT_SYMLINK_FOLLOW (os.link passes that flag only together with a dir fd)."""
    fds = os.open("/proc/self/fd", os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.link(str(fd), path, src_dir_fd=fds, follow_symlinks=True)
    finally:
        os.close(fds)


# What open(2) answers where O_TMPFILE is not supported by the kernel or file system.
_NO_TMPFILE = {errno.EOPNOTSUPP, errno.EISDIR, errno.EINVAL}
