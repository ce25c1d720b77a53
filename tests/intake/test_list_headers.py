"""The addresses of the mailing list a message came through (pure parsing)."""

from app.intake.parsing import parse_message


def message(*headers: str) -> bytes:
    return "\r\n".join(
        [
            "From: Dan <dan@people.test>",
            "To: Help list <help@lists.test>",
            "Cc: Eve <eve@people.test>",
            "Subject: Re: help",
            "Message-ID: <l1@people.test>",
            *headers,
            "",
            "body",
            "",
        ]
    ).encode()


def test_list_post_list_id_been_there_and_sender_name_the_list():
    parsed = parse_message(
        message(
            "List-Id: Help list <help.lists.test>",
            "List-Post: <mailto:help@lists.test?subject=x>",
            "X-BeenThere: help@lists.test",
            "Sender: help-bounces@lists.test",
        )
    )
    assert parsed.list_addresses == ["help@lists.test", "help-bounces@lists.test"]


def test_a_list_id_alone_names_its_address():
    parsed = parse_message(message("List-Id: <dev.lists.example.org>"))
    assert parsed.list_addresses == ["dev@lists.example.org"]


def test_precedence_list_alone_makes_the_to_addresses_the_list():
    parsed = parse_message(message("Precedence: list"))
    assert parsed.list_addresses == ["help@lists.test"]
    assert parse_message(message("Precedence: bulk")).list_addresses == [
        "help@lists.test"
    ]


def test_mail_not_through_a_list_names_no_list():
    assert parse_message(message()).list_addresses == []
    assert parse_message(message("Precedence: junk")).list_addresses == []
    assert parse_message(message("List-Post: NO")).list_addresses == ["help@lists.test"]
