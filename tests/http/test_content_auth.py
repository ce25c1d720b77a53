"""Authentication of the content routes: no valid token, no download, whether the
object exists or not."""

import pytest

from app.accounts import service as accounts
from app.accounts.models import Role
from app.core import ids
from tests.graphql.one_of_each import DOCUMENT_BYTES, _assert_authentication_failed
from tests.helpers import auth


@pytest.mark.parametrize("route", ["emails", "documents"])
@pytest.mark.parametrize(
    "headers",
    [
        pytest.param({}, id="missing"),
        pytest.param({"Authorization": "Basic YWRtaW46YWRtaW4="}, id="malformed"),
        pytest.param(auth("mr_" + "A" * 43), id="unknown"),
    ],
)
async def test_content_downloads_without_a_valid_token_are_401(
    one_of_each, client, route, headers
):
    # given an existing email and document of the organization
    gid = one_of_each.gid("email" if route == "emails" else "document")
    # when they are downloaded without a valid token
    response = await client.get(f"/content/{route}/{gid}", headers=headers)
    # then the download is refused, and no bytes leak
    _assert_authentication_failed(response)
    assert b"Body" not in response.content and DOCUMENT_BYTES not in response.content


@pytest.mark.parametrize("route", ["emails", "documents"])
async def test_content_downloads_with_a_revoked_token_are_401(
    admin, one_of_each, client, route
):
    # given a viewer who can download the email and the document
    viewer = await admin.add_user(Role.VIEWER)
    gid = one_of_each.gid("email" if route == "emails" else "document")
    ok = await client.get(f"/content/{route}/{gid}", headers=auth(viewer.token))
    assert ok.status_code == 200
    # when the viewer's token is revoked
    await accounts.revoke_plain_token(viewer.token)
    # then the download is refused
    response = await client.get(f"/content/{route}/{gid}", headers=auth(viewer.token))
    _assert_authentication_failed(response)


@pytest.mark.parametrize("route", ["emails", "documents"])
async def test_content_auth_is_checked_before_existence(client, route):
    # given no token and an id that does not exist
    gid = ids.encode("Email" if route == "emails" else "Document", 999999)
    # when it is downloaded
    response = await client.get(f"/content/{route}/{gid}")
    # then the answer is 401, not 404 (no probing for ids without a token)
    _assert_authentication_failed(response)
