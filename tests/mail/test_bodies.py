"""Stored bodies (pure): cut on character boundaries, HTML made safe to show."""

from app.mail.bodies import sanitize_html, text_from_html, truncate_utf8


def test_a_cut_never_splits_a_character():
    text, cut = truncate_utf8("é" * 10, 5)  # two bytes each
    assert (text, cut) == ("éé", True)
    assert truncate_utf8("short", 100) == ("short", False)


def test_scripts_and_remote_images_go_and_cid_images_point_at_our_part_urls():
    html = (
        '<p onclick="x()">Hi<script>alert(1)</script></p>'
        '<img src="https://tracker.example/pixel.gif">'
        '<img src="cid:Logo@Vendor">'
        '<a href="https://vendor.example/pay">pay</a>'
        '<a href="javascript:alert(1)">bad</a>'
    )
    ours = "https://mailroom.example/content/emails/RW1haWw6MQ==/parts/2"
    clean = sanitize_html(html, cid_url={"logo@vendor": ours})
    assert "script" not in clean and "onclick" not in clean
    assert "tracker.example" not in clean
    assert f'src="{ours}"' in clean
    assert 'href="https://vendor.example/pay"' in clean and "nofollow" in clean
    assert "javascript:" not in clean


def test_text_from_html_keeps_the_lines_a_reader_sees():
    html = (
        "<html><head><style>p{}</style></head>"
        "<p>Dear  team,</p><p>the total is<br>EUR 5&amp;0</p></html>"
    )
    # paragraphs stand apart, as a browser shows them; a <br> is one line break
    assert text_from_html(html) == "Dear team,\n\nthe total is\nEUR 5&0"


def test_text_from_html_survives_what_lxml_cannot_nest_or_size():
    # markup nested deeper than lxml follows still gives its text
    assert text_from_html("<div>" * 20_000 + "deep" + "</div>" * 20_000) == "deep"
    # a body of megabytes is read only as far as the stored text can reach
    huge = text_from_html("<p>line</p>" * 500_000)
    assert huge.startswith("line\n\nline") and len(huge) < 200_000
