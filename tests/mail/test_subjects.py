"""Subject rules of the thread fallback and of replies (pure)."""

import pytest

from app.mail.subjects import (
    SUBJECT_MAX,
    forward_subject,
    is_reply_subject,
    normalize_subject,
    reply_subject,
)


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


@pytest.mark.parametrize(
    "subject",
    [
        "Re : Invoice 42",
        "AW:SV: Invoice 42",
        "Réf : Invoice 42",
        "回复：Invoice 42",
        "[list] [other] RE: Invoice\t42",
        "(fwd) Invoice 42",
        "Re(3): Invoice 42",
    ],
)
def test_more_prefixes_and_whitespace_are_removed(subject):
    assert normalize_subject(subject) == "invoice 42"


def test_a_huge_subject_makes_a_key_the_column_holds():
    key = normalize_subject("Re: " * 30_000 + "x" * 100_000)
    assert len(key) <= SUBJECT_MAX
    assert normalize_subject("Re: " + "y" * 100_000) == "y" * SUBJECT_MAX
    # the same key whatever prefixes stand before a subject longer than the column
    long = "z " * 100_000
    assert normalize_subject("Re: " + long) == normalize_subject("RE: [x] Re: " + long)


def test_only_replies_and_forwards_claim_to_continue_a_conversation():
    assert is_reply_subject("Re: help")
    assert is_reply_subject("[python-list] Re: help")
    assert is_reply_subject("Fwd: help")
    assert not is_reply_subject("help")
    assert not is_reply_subject("[python-list] help")
    assert not is_reply_subject("Review: Q3")
