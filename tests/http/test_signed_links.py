"""Signed content links: contentUrl and the cid: images of a sanitized body open
without an Authorization header until they expire; a tampered, expired or
transplanted link is 403 ACCESS_FORBIDDEN; the bearer token still works."""

import html
import re
import time
from urllib.parse import parse_qs, urlsplit

import pytest

from app.core.signing import signature_query
from tests import mailcorpus as mc
from tests.graphql.org_world import DOCUMENT_BYTES, RAW_MESSAGE, build_world
from tests.helpers import auth
from tests.intake.importing import imported_email, intake_inbox
from tests.mailcorpus.payloads import INVOICE_PDF, LOGO_PNG

CONTENT_URLS = """
query($email: ID!, $document: ID!) {
  email(id: $email) { contentUrl }
  document(id: $document) { contentUrl }
}"""


def relative(url: str) -> str:
    """What a browser requests of PUBLIC_URL + path?query (the test client's base)."""
    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}" if parts.query else parts.path


def with_query(url: str, **changes: str) -> str:
    parts = urlsplit(url)
    query = {k: v[0] for k, v in parse_qs(parts.query).items()} | changes
    return parts.path + "?" + "&".join(f"{k}={v}" for k, v in query.items())


async def content_urls(actor, world) -> dict[str, str]:
    data = await actor.data(
        CONTENT_URLS, {"email": world.gid("email"), "document": world.gid("document")}
    )
    return {
        "email": data["email"]["contentUrl"],
        "document": data["document"]["contentUrl"],
    }


def assert_refused(response, word: str) -> None:
    assert response.status_code == 403, response.text
    error = response.json()["errors"][0]
    assert error["extensions"]["code"] == "ACCESS_FORBIDDEN"
    assert word in error["message"]
    assert b"Please pay" not in response.content and b"secret" not in response.content


async def test_a_signed_content_url_opens_without_a_header(org_a, client):
    # given A's contentUrls, as the API hands them out
    a, world = org_a
    urls = await content_urls(a, world)
    # when a browser opens them with no Authorization header
    email = await client.get(relative(urls["email"]))
    document = await client.get(relative(urls["document"]))
    # then both answer with their bytes, as downloads
    assert email.status_code == 200, email.text
    assert email.content == RAW_MESSAGE + b"a"
    assert document.status_code == 200, document.text
    assert document.content == DOCUMENT_BYTES + b"a"
    assert document.headers["content-disposition"].startswith("attachment")
    # and each URL is signed with an expiry about SIGNED_URL_TTL away
    expires = int(parse_qs(urlsplit(urls["document"]).query)["expires"][0])
    assert 3600 <= expires - time.time() <= 3600 * 1.1 + 1


async def test_the_cid_images_of_a_sanitized_body_open_in_a_browser(admin, run_jobs):
    # given an Outlook message whose HTML shows an inline logo by cid:
    await intake_inbox(admin.organization_id)
    email = await imported_email(admin, run_jobs, mc.outlook_related())
    # when the <img src> of its sanitized body is fetched with no header
    [src] = re.findall(r'<img[^>]* src="([^"]+)"', email["bodyTextHtml"])
    url = html.unescape(src)
    assert "/parts/" in url and "signature=" in url and "&amp;" in src
    response = await admin.client.get(relative(url))
    # then it is the image, shown inline
    assert response.status_code == 200, response.text
    assert response.content == LOGO_PNG
    assert response.headers["content-type"] == "image/png"
    assert "content-disposition" not in response.headers
    # and the document link beside it opens the same way
    [document] = email["documents"]
    download = await admin.client.get(relative(document["contentUrl"]))
    assert download.status_code == 200 and download.content == INVOICE_PDF


@pytest.mark.parametrize(
    "change",
    [
        {"signature": "AAAA" + "x" * 39},
        {"expires": "9999999999"},
        {"expires": "soon"},
        {"signature": ""},
    ],
    ids=["signature", "later-expiry", "expiry-not-a-number", "empty-signature"],
)
async def test_a_tampered_link_is_403(org_a, client, change):
    # given A's signed document link, changed in one place
    a, world = org_a
    url = with_query((await content_urls(a, world))["document"], **change)
    # when it is opened without a header
    response = await client.get(url)
    # then it is refused, with none of the bytes
    assert_refused(response, "not valid")


async def test_an_expired_link_is_403_and_says_so(org_a, client):
    # given a link to A's document signed two hours ago (an hour's TTL)
    a, world = org_a
    path = f"/content/documents/{world.gid('document')}"
    query = signature_query(
        path, organization_id=a.organization_id, now=time.time() - 7200
    )
    # when it is opened
    response = await client.get(f"{path}?{query}")
    # then it is refused as expired (a genuine link: the signature is right)
    assert_refused(response, "expired")


async def test_another_organizations_path_with_a_valid_looking_signature_is_403(
    org_a, org_b, client
):
    # given A's document, and B's own signed link to a document of B's
    _, world_a = org_a
    world_b = await build_world(org_b, "b")
    b_url = (await content_urls(org_b, world_b))["document"]
    a_path = f"/content/documents/{world_a.gid('document')}"
    # when B moves its signature onto A's path, or signs A's path as B's
    moved = await client.get(a_path + "?" + urlsplit(b_url).query)
    as_b = await client.get(
        f"{a_path}?{signature_query(a_path, organization_id=org_b.organization_id)}"
    )
    # then both are refused; B's own link still works
    assert_refused(moved, "not valid")
    assert_refused(as_b, "not valid")
    assert (await client.get(relative(b_url))).status_code == 200


async def test_a_signed_link_to_nothing_is_403_like_a_forgery(org_a, client):
    # given a link signed for a document id that does not exist
    a, _ = org_a
    path = "/content/documents/RG9jdW1lbnQ6OTk5OTk="  # Document:99999
    query = signature_query(path, organization_id=a.organization_id)
    # then it is refused as a forgery would be, not 404
    assert_refused(await client.get(f"{path}?{query}"), "not valid")


async def test_the_bearer_token_still_opens_content(org_a, org_b, client):
    # given A's content URLs
    a, world = org_a
    urls = await content_urls(a, world)
    document = f"/content/documents/{world.gid('document')}"
    # when A sends its token, without a signature or with a broken one
    plain = await client.get(document, headers=auth(a.token))
    broken = await client.get(
        with_query(urls["document"], signature="broken"), headers=auth(a.token)
    )
    # then the token decides: A gets the bytes, B (with A's signed link) a 404
    assert plain.status_code == 200 and plain.content == DOCUMENT_BYTES + b"a"
    assert broken.status_code == 200
    foreign = await client.get(relative(urls["document"]), headers=auth(org_b.token))
    assert foreign.status_code == 404
    # and without either, it is 401 as before
    assert (await client.get(document)).status_code == 401


async def test_without_a_secret_key_links_are_unsigned_and_need_the_token(
    org_a, client, settings
):
    # given no SECRET_KEY (a command that does not check it, such as a script)
    a, world = org_a
    settings(secret_key=None)
    # then contentUrl carries no signature, and only the token opens it
    url = (await content_urls(a, world))["document"]
    assert urlsplit(url).query == ""
    assert (await client.get(relative(url))).status_code == 401
    assert (await client.get(relative(url), headers=auth(a.token))).status_code == 200
    # and a signature-bearing request is refused rather than trusted
    assert_refused(await client.get(relative(url) + "?expires=1&signature=x"), "valid")
