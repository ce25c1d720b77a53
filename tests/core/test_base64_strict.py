"""core.base64_strict: the same answer as base64.b64decode(validate=True) for any
text, valid or not (pybase64 decodes, the standard decoder has the last word on
whatever pybase64 refuses)."""

import base64
import binascii
import os

from hypothesis import example, given
from hypothesis import strategies as st

from app.core.base64_strict import b64decode_strict


def _answer(decode, text: str) -> tuple[str, bytes]:
    try:
        return "bytes", decode(text)
    except (binascii.Error, ValueError):
        return "refused", b""


# The alphabet, padding, white space, URL-safe and non-ASCII characters, NUL.
ALPHABET = "AB+/Qa09=" + " \n\r\t" + "-_" + "é\x00"


@given(st.text(alphabet=ALPHABET, max_size=24))
@example("abcd====")  # padding after a whole quad: the standard decoder takes it
@example("ab==cd==")
@example("YQ=")
@example("")
def test_any_text_gets_the_standard_answer(text):
    standard = _answer(lambda t: base64.b64decode(t, validate=True), text)
    assert _answer(b64decode_strict, text) == standard
    assert _answer(b64decode_strict, text.encode()) == standard


def test_a_large_message_decodes_to_its_bytes():
    data = os.urandom(3 * 1024 * 1024 + 1)
    assert b64decode_strict(base64.b64encode(data).decode()) == data
