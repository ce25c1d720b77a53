"""graphql.spooled_uploads: an upload hashed and written as it arrives reads back
as it was sent, as often as it is read, and its spool holds its sha256."""

import hashlib
import io

from starlette.datastructures import UploadFile

from app.core.spools import Spool
from app.graphql.spooled_uploads import PIECE, SpooledUpload


async def test_a_spooled_upload_reads_back_whole_and_knows_its_hash(tmp_path):
    # given an upload of several pieces, written as a parser writes (64 kB reads)
    data = bytes(range(256)) * (3 * PIECE // 256 + 11)
    upload = SpooledUpload(UploadFile(io.BytesIO()), Spool(tmp_path))
    for start in range(0, len(data), 64 * 1024):
        await upload.write(data[start : start + 64 * 1024])
    # when the part ends (Starlette seeks to 0) and it is read twice
    await upload.seek(0)
    first = await upload.read()
    await upload.seek(0)
    second = await upload.read()
    # then both reads are the bytes sent, and the spool has their size and sha256
    assert first == second == data
    assert upload.size == upload.spool.size == len(data)
    assert upload.spool.key == hashlib.sha256(data).hexdigest()
    assert not upload.spool.blank
    await upload.close()
