"""reply_text: the new text of a reply, and the inputs that make the reply parser's
patterns backtrack (a hang there would time the whole parse out)."""

import time

from app.intake.replies import LONG_LINE, reply_text


def test_quotes_and_signature_are_left_out():
    body = (
        "Thursday works.\n\nBest,\nBob\n-- \nBob Example\n\n"
        "On Mon, Nov 30, 2026 at 9:00 AM Alice <alice@acme.test> wrote:\n> Thursday?\n"
    )
    assert reply_text(body) == "Thursday works."
    assert reply_text("") == ""


def test_long_lines_come_back_whole():
    line = "x" * (LONG_LINE * 3)
    body = f"{line}\n\nOn Mon, Nov 30, 2026, Alice <a@acme.test> wrote:\n> q\n"
    assert reply_text(body) == line


def test_pathological_bodies_stay_fast():
    for body in ("On " * 10_000, "\n" * 65_000 + "x", "\r\n" * 30_000 + "x"):
        started = time.monotonic()
        reply_text(body)
        assert time.monotonic() - started < 10, body[:20]
