"""choose_parent and referenced_ids (pure): the parent a mail client draws."""

from app.mail.models import ThreadMatchMethod
from app.threads.parents import (
    MAX_REFERENCES,
    ParentRef,
    choose_parent,
    referenced_ids,
)

REFS = ["<a@x>", "<b@x>", "<c@x>"]


def parent(known, *, in_reply_to=(), references=REFS, message_id="<m@x>"):
    return choose_parent(
        message_id=message_id,
        in_reply_to=list(in_reply_to),
        references=list(references),
        known=set(known),
    )


def test_in_reply_to_wins_when_we_have_it():
    assert parent(REFS, in_reply_to=["<b@x>"]) == ParentRef(
        "<b@x>", ThreadMatchMethod.IN_REPLY_TO
    )


def test_else_the_last_references_id_we_have_not_the_newest_imported():
    # <c@x> unknown, In-Reply-To unknown: the last known References id
    assert parent(["<a@x>", "<b@x>"], in_reply_to=["<c@x>"]) == ParentRef(
        "<b@x>", ThreadMatchMethod.REFERENCES
    )
    assert parent(["<a@x>"]) == ParentRef("<a@x>", ThreadMatchMethod.REFERENCES)


def test_nothing_known_no_parent_and_never_itself():
    assert parent([]) is None
    assert parent(["<m@x>"], references=["<m@x>"], in_reply_to=["<m@x>"]) is None


def test_only_the_first_in_reply_to_id_counts():
    assert parent(["<z@x>"], in_reply_to=["<y@x>", "<z@x>"], references=[]) is None


def test_references_are_bounded_keeping_the_root_and_the_last_ones():
    refs = [f"<{n}@x>" for n in range(500)]
    ids = referenced_ids(["<irt@x>"], refs)
    assert len(ids) == MAX_REFERENCES + 1
    assert ids[:2] == ["<irt@x>", "<0@x>"] and ids[-1] == "<499@x>"
    assert referenced_ids(["<a@x>"], ["<a@x>", "<b@x>"]) == ["<a@x>", "<b@x>"]
