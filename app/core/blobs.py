"""Blob store for raw messages and document bytes: content-addressed files on disk.

Keys are the sha256 of the content, so storing the same bytes twice costs nothing
and a retried job can write again safely.
"""

import hashlib
import os
import tempfile
from pathlib import Path
from urllib.parse import urlparse

from app.settings import get_settings


class FileBlobStore:
    def __init__(self, root: Path) -> None:
        self.root = root

    def _path(self, key: str) -> Path:
        if len(key) != 64 or not all(c in "0123456789abcdef" for c in key):
            raise ValueError("invalid blob key")
        return self.root / key[:2] / key[2:4] / key

    def put(self, data: bytes) -> str:
        key = hashlib.sha256(data).hexdigest()
        path = self._path(key)
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            # Write then rename: a reader never sees a half-written blob.
            fd, tmp = tempfile.mkstemp(dir=path.parent)
            with os.fdopen(fd, "wb") as f:
                f.write(data)
            os.replace(tmp, path)
        return key

    def get(self, key: str) -> bytes:
        return self._path(key).read_bytes()

    def path(self, key: str) -> Path:
        return self._path(key)

    def exists(self, key: str) -> bool:
        return self._path(key).exists()


def blob_store() -> FileBlobStore:
    url = urlparse(get_settings().effective_blob_store_url)
    if url.scheme != "file":
        raise ValueError(f"Unsupported BLOB_STORE_URL scheme: {url.scheme}")
    return FileBlobStore(Path(url.path))
