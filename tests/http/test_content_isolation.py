"""Organization isolation of the content routes: another organization's raw emails,
parts and documents are 404; the owner downloads them, with safe headers."""

import pytest

from app.documents.models import Document
from tests.graphql.org_world import DOCUMENT_BYTES, INLINE_PART_BYTES, RAW_MESSAGE
from tests.helpers import auth

# ------------------------------------------------------------------------ content


@pytest.mark.parametrize(
    ("route", "name"), [("emails", "email"), ("documents", "document")]
)
async def test_content_of_another_organization_is_404(
    org_a, org_b, client, route, name
):
    # given A's email and document
    _, world = org_a
    # when B downloads them
    response = await client.get(
        f"/content/{route}/{world.gid(name)}", headers=auth(org_b.token)
    )
    # then it is 404 NOT_FOUND (as if it did not exist), with none of the bytes
    assert response.status_code == 404
    assert response.json()["errors"][0]["extensions"]["code"] == "NOT_FOUND"
    assert b"Please pay" not in response.content and b"secret" not in response.content


async def test_inline_parts_of_another_organization_are_404(org_a, org_b, client):
    # given A's email with an inline image part
    a, world = org_a
    path = f"/content/emails/{world.gid('email')}/parts/2"
    assert (await client.get(path, headers=auth(a.token))).status_code == 200
    # when B (and then no one) downloads the part
    as_b = await client.get(path, headers=auth(org_b.token))
    anonymous = await client.get(path)
    # then B gets 404 and the anonymous caller 401, neither any bytes
    assert as_b.status_code == 404
    assert as_b.json()["errors"][0]["extensions"]["code"] == "NOT_FOUND"
    assert anonymous.status_code == 401
    assert b"secret" not in as_b.content + anonymous.content


async def test_the_owner_downloads_an_inline_part(org_a, client):
    # given A's email with an inline image part
    a, world = org_a
    # when A downloads it, and a part that does not exist
    response = await client.get(
        f"/content/emails/{world.gid('email')}/parts/2", headers=auth(a.token)
    )
    missing = await client.get(
        f"/content/emails/{world.gid('email')}/parts/9", headers=auth(a.token)
    )
    bodyless = await client.get(
        f"/content/emails/{world.gid('email')}/parts/1", headers=auth(a.token)
    )
    # then it gets the part's bytes, typed and not sniffable; the others are 404
    assert response.status_code == 200
    assert response.content == INLINE_PART_BYTES + b"a"
    assert response.headers["content-type"].startswith("image/png")
    assert response.headers["x-content-type-options"] == "nosniff"
    assert missing.status_code == 404 and bodyless.status_code == 404


async def test_the_owner_downloads_the_raw_email(org_a, client):
    # given A's email, stored with its raw message
    a, world = org_a
    # when A downloads it with the contentUrl the API gives
    data = await a.data(
        "query($id: ID!) { email(id: $id) { contentUrl } }", {"id": world.gid("email")}
    )
    path = "/" + data["email"]["contentUrl"].split("/", 3)[3]
    assert path.split("?")[0] == f"/content/emails/{world.gid('email')}"
    response = await client.get(path, headers=auth(a.token))
    # then it gets the exact bytes as a message/rfc822 attachment
    assert response.status_code == 200
    assert response.content == RAW_MESSAGE + b"a"
    assert response.headers["content-type"].startswith("message/rfc822")
    assert response.headers["content-disposition"].startswith("attachment")
    assert f"email-{world.email.id}.eml" in response.headers["content-disposition"]


async def test_the_owner_downloads_the_document(org_a, client):
    # given A's document
    a, world = org_a
    # when A downloads it with the contentUrl the API gives
    data = await a.data(
        "query($id: ID!) { document(id: $id) { contentUrl } }",
        {"id": world.gid("document")},
    )
    path = "/" + data["document"]["contentUrl"].split("/", 3)[3]
    response = await client.get(path, headers=auth(a.token))
    # then it gets the exact bytes, as an attachment of the stored type, not sniffable
    assert response.status_code == 200
    assert response.content == DOCUMENT_BYTES + b"a"
    assert response.headers["content-type"].startswith("application/pdf")
    disposition = response.headers["content-disposition"]
    assert disposition.startswith("attachment")
    assert 'filename="invoice-a.pdf"' in disposition
    assert response.headers["x-content-type-options"] == "nosniff"


async def test_a_hostile_file_name_cannot_break_the_download_headers(org_a, client):
    # given a document whose stored name carries quotes, CR/LF and non-ASCII text
    a, world = org_a
    await Document.filter(id=world.document.id).update(
        original_file_name='fa"ctura\r\nX-Injected: 1 \u00fc.pdf'
    )
    # when the owner downloads it
    response = await client.get(
        f"/content/documents/{world.gid('document')}", headers=auth(a.token)
    )
    # then it is still one attachment, and no header was smuggled in
    assert response.status_code == 200
    assert "x-injected" not in response.headers
    disposition = response.headers["content-disposition"]
    assert disposition.startswith("attachment")
    assert "\r" not in disposition and "\n" not in disposition


async def test_a_document_id_is_not_an_email_id_for_content(org_a, client):
    # given A's document and email global ids, swapped between the two routes
    a, world = org_a
    # when A downloads them from the wrong routes
    as_email = await client.get(
        f"/content/emails/{world.gid('document')}", headers=auth(a.token)
    )
    as_document = await client.get(
        f"/content/documents/{world.gid('email')}", headers=auth(a.token)
    )
    # then both are 404 (a Document:N id never reads Email N)
    assert as_email.status_code == 404 and as_document.status_code == 404


async def test_an_email_whose_raw_blob_is_gone_is_404(org_a, client):
    # given A's reply, which has no stored raw message
    a, world = org_a
    # when A downloads it
    response = await client.get(
        f"/content/emails/{world.gid('reply')}", headers=auth(a.token)
    )
    # then it is 404, not a 500
    assert response.status_code == 404
    assert response.json()["errors"][0]["extensions"]["code"] == "NOT_FOUND"
