"""Subject rules of the thread fallback and of replies (pure)."""

import pytest

from app.mail.subjects import forward_subject, normalize_subject, reply_subject


@pytest.mark.parametrize(
    "subject",
    [
        "Invoice 42",
        "Re: Invoice 42",
        "RE: re: Invoice 42",
        "Fwd: Invoice 42",
        "AW: WG: Invoice 42",
        "SV: Invoice 42",
        "Re[2]: Invoice 42",
        "[billing] Re: Invoice  42",
        "  invoice 42  ",
    ],
)
def test_prefixes_tags_case_and_spacing_do_not_make_another_subject(subject):
    assert normalize_subject(subject) == "invoice 42"


def test_a_word_that_only_starts_like_a_prefix_stays():
    assert normalize_subject("Review: Q3") == "review: q3"
    assert normalize_subject("Tracking 7") == "tracking 7"


def test_replies_and_forwards_do_not_stack_prefixes():
    assert reply_subject("Invoice") == "Re: Invoice"
    assert reply_subject("RE: Invoice") == "RE: Invoice"
    assert forward_subject("Invoice") == "Fwd: Invoice"
    assert forward_subject("FW: Invoice") == "FW: Invoice"
    assert reply_subject("") == "Re:"
