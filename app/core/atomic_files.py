"""Writing a file so that readers see all of it or nothing, and a process killed
mid-write leaves nothing behind.

On Linux the bytes go to an unnamed file (`O_TMPFILE`) that gets its name only once
complete: a `kill -9` during a 25 MB write frees the space with the process. Where the
file system cannot do that, a `.partial-` file is written and renamed instead.
"""

import contextlib
import errno
import os
import tempfile
from pathlib import Path

PARTIAL_PREFIX = ".partial-"


def write_whole(path: Path, data: bytes, *, replace: bool = True) -> None:
    """Write `data` to `path` atomically. With `replace=False` an existing file
    stays as it is (content-addressed stores: same name, same bytes)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path.parent, os.O_TMPFILE | os.O_WRONLY, 0o600)
    except AttributeError:  # not Linux
        fd = -1
    except OSError as error:
        if error.errno not in _NO_TMPFILE:
            raise
        fd = -1
    if fd < 0:
        _write_partial_then_rename(path, data, replace)
        return
    with os.fdopen(fd, "wb") as f:
        f.write(data)
        f.flush()
        try:
            _name(f.fileno(), path)
            return
        except FileExistsError:
            if not replace:
                return
        except OSError:  # no /proc, or a file system that cannot link it
            pass
    _write_partial_then_rename(path, data, replace)


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


def _write_partial_then_rename(path: Path, data: bytes, replace: bool) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=PARTIAL_PREFIX)
    renamed = False
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        if replace:
            os.replace(tmp, path)
            renamed = True
        else:
            with contextlib.suppress(FileExistsError):
                os.link(tmp, path)
    finally:
        if not renamed:
            os.unlink(tmp)
