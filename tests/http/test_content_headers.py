"""Every download is sandboxed: a browser that renders one runs no script in it and
grants it no origin of ours, whatever the file holds."""

import pytest

from tests.helpers import auth


@pytest.mark.parametrize("route", ["emails", "documents"])
async def test_downloads_carry_a_sandbox_policy(admin, one_of_each, route):
    gid = one_of_each.gid("email" if route == "emails" else "document")
    response = await admin.client.get(
        f"/content/{route}/{gid}", headers=auth(admin.token)
    )
    assert response.status_code == 200, response.text
    policy = response.headers["Content-Security-Policy"]
    assert "sandbox" in policy.split(";")[0]
    assert "default-src 'none'" in policy
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Content-Disposition"].startswith("attachment")
