"""A blob's bytes written as they arrive and hashed on the way, so that storing
them needs no second pass: an unnamed file in the store's directory
(atomic_files.WholeFile) that the file store names by its sha256 once whole (a
link, no copy), or that is gone when closed unnamed."""

import hashlib
from collections.abc import Iterable
from pathlib import Path

from app.core.atomic_files import WholeFile


class Spool:
    """Blocking, a thread's work (1 MB of sha256 is ~0.5 ms). The file is made at
    the first write."""

    def __init__(self, directory: Path) -> None:
        self._directory = directory
        self._whole: WholeFile | None = None
        self._digest = hashlib.sha256()
        self.size = 0
        self.blank = True  # nothing but white space so far

    @property
    def whole(self) -> WholeFile:
        if self._whole is None:
            self._whole = WholeFile(self._directory)
        return self._whole

    def write(self, pieces: Iterable[bytes]) -> None:
        file = self.whole.file
        for piece in pieces:
            self._digest.update(piece)
            file.write(piece)
            self.size += len(piece)
            self.blank = self.blank and not piece.strip()

    @property
    def key(self) -> str:
        """The sha256 of what was written: the blob's key."""
        return self._digest.hexdigest()

    def read_all(self) -> bytes:
        file = self.whole.file
        file.flush()
        file.seek(0)
        return file.read()

    def close(self) -> None:
        if self._whole is not None:
            self._whole.close()
