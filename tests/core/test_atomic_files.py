"""write_whole: whole files or none, and nothing left by a writer killed mid-write."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from app.core import atomic_files
from app.core.atomic_files import write_whole


@pytest.fixture(params=["tmpfile", "partial"])
def way(request, monkeypatch):
    """Both ways of writing: O_TMPFILE, and the rename fallback for file systems
    without it."""
    if request.param == "partial":
        monkeypatch.delattr(os, "O_TMPFILE", raising=False)
    return request.param


def test_writes_the_bytes_and_nothing_else(tmp_path, way):
    target = tmp_path / "a" / "b" / "blob"
    write_whole(target, b"hello")
    assert target.read_bytes() == b"hello"
    assert [p.name for p in target.parent.iterdir()] == ["blob"]
    assert oct(target.stat().st_mode & 0o777) == oct(0o600)


def test_replace_false_keeps_what_is_there(tmp_path, way):
    target = tmp_path / "blob"
    write_whole(target, b"first", replace=False)
    write_whole(target, b"second", replace=False)
    assert target.read_bytes() == b"first"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["blob"]


def test_replace_true_replaces(tmp_path, way):
    target = tmp_path / "mail.eml"
    write_whole(target, b"first")
    write_whole(target, b"second")
    assert target.read_bytes() == b"second"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["mail.eml"]


WRITER = """
import sys
from pathlib import Path
from app.core.atomic_files import write_whole
data = b"x" * (64 * 1024 * 1024)
i = 0
print("ready", flush=True)
while True:
    write_whole(Path(sys.argv[1]) / str(i), data)
    i += 1
"""


@pytest.mark.skipif(not hasattr(os, "O_TMPFILE"), reason="Linux O_TMPFILE")
def test_a_writer_killed_mid_write_leaves_only_whole_files(tmp_path):
    writer = subprocess.Popen(
        [sys.executable, "-c", WRITER, str(tmp_path)],
        stdout=subprocess.PIPE,
        cwd=Path(atomic_files.__file__).parents[2],
    )
    try:
        assert writer.stdout is not None and writer.stdout.readline() == b"ready\n"
        deadline = time.monotonic() + 20
        while len(list(tmp_path.iterdir())) < 2 and time.monotonic() < deadline:
            time.sleep(0.01)
    finally:
        writer.send_signal(signal.SIGKILL)
        writer.wait()
        writer.stdout.close()
    files = list(tmp_path.iterdir())
    assert len(files) >= 2
    assert all(f.stat().st_size == 64 * 1024 * 1024 for f in files), [
        (f.name, f.stat().st_size) for f in files
    ]
