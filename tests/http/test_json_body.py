"""http.json_body.loads: msgspec reads the request, json.loads' answer all the same
(the same values, and json.loads' error wherever it refuses)."""

import json

from hypothesis import example, given
from hypothesis import strategies as st

from app.http.json_body import loads


def _answer(decode, data) -> tuple[str, str]:
    try:
        return "value", repr(decode(data))  # repr: NaN equals itself, -0.0 is not 0
    except RecursionError:
        return "too deep", ""
    except ValueError as exc:  # JSONDecodeError, UnicodeDecodeError, int digits
        return "refused", type(exc).__name__


JSON_VALUES = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(),
    lambda inner: st.lists(inner) | st.dictionaries(st.text(), inner),
    max_leaves=20,
)


@given(JSON_VALUES)
def test_any_json_document_reads_as_json_reads_it(value):
    text = json.dumps(value)
    assert _answer(loads, text) == _answer(json.loads, text)
    assert _answer(loads, text.encode()) == _answer(json.loads, text.encode())


# Brackets, quotes, escapes, numbers, words, and what msgspec refuses.
PIECES = ["{", "}", "[", "]", '"', ",", ":", "\\", "u", "d800", "0", "1", "e", "-"]
PIECES += [".", " ", "NaN", "Infinity", "true", "null", "\ufeff", "\x01", "é"]


@given(st.lists(st.sampled_from(PIECES), max_size=16).map("".join))
@example('"\\ud800"')  # a lone surrogate: json takes it, msgspec does not
@example("1e400")  # past a float's range: json says inf
@example("NaN")
@example('{"a": 1, "a": 2}')
@example("1" * 5000)  # past int's digit limit: json refuses
@example("[" * 5000 + "]" * 5000)
@example("123456789012345678901234567890")  # past 64 bits
def test_any_text_gets_json_loads_answer(text):
    assert _answer(loads, text) == _answer(json.loads, text)
    data = text.encode("utf-8", "surrogatepass")
    assert _answer(loads, data) == _answer(json.loads, data)
