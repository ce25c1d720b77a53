"""Delivery through an SMTP server that requires authentication (MAIL_URL creds)."""

import asyncio
from email import message_from_bytes, policy

import pytest
from aiosmtpd.smtp import SMTP, AuthResult, LoginPassword

from app.core.ids import encode as global_id
from tests.conftest import SmtpSink
from tests.factories import make_inbox, make_queue

pytestmark = [
    # The loopback test server has no certificate, so AUTH runs without TLS here.
    pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS"),
    pytest.mark.filterwarnings("ignore:Session.login_data is deprecated"),
]

SEND = """mutation($queue: ID!) { sendEmail(input: {queue: $queue,
  to: [{email: "client@example.com"}],
  templateValues: {subject: "Hi", message: "<p>Hi</p>"}})
  { __typename ... on Task { id } ... on InputError { code field message } } }"""
TASK = "query($id: ID!) { task(id: $id) { status error { code message } } }"


class Authenticator:
    def __init__(self) -> None:
        self.logins: list[tuple[str, str]] = []

    def __call__(self, server, session, envelope, mechanism, auth_data):
        if not isinstance(auth_data, LoginPassword):
            return AuthResult(success=False, handled=False)
        login = (auth_data.login.decode(), auth_data.password.decode())
        self.logins.append(login)
        # handled=False: aiosmtpd answers 535 itself when the login is wrong
        return AuthResult(success=login == ("mailroom", "s3cr3t p@ss"), handled=False)


@pytest.fixture
async def auth_server(settings):
    sink, authenticator = SmtpSink(), Authenticator()
    loop = asyncio.get_running_loop()
    server = await loop.create_server(
        lambda: SMTP(
            sink,
            authenticator=authenticator,
            auth_required=True,
            auth_require_tls=False,  # loopback test server has no certificate
        ),
        host="127.0.0.1",
        port=0,
    )
    port = server.sockets[0].getsockname()[1]
    settings(send_retry_base_seconds=0)
    yield sink, authenticator, port
    server.close()
    await server.wait_closed()


async def _send(admin, run_jobs) -> dict:
    queue = await make_queue(admin.organization_id, "Q")
    await make_inbox(admin.organization_id, "ap@acme.test", queue=queue)
    task = (await admin.data(SEND, {"queue": global_id("Queue", queue.id)}))[
        "sendEmail"
    ]
    await run_jobs()
    return (await admin.data(TASK, {"id": task["id"]}))["task"]


async def test_credentials_in_mail_url_authenticate(
    admin, run_jobs, auth_server, settings
):
    sink, authenticator, port = auth_server
    # given MAIL_URL with a user and a URL-encoded password
    settings(mail_url=f"smtp://mailroom:s3cr3t%20p%40ss@127.0.0.1:{port}?starttls=off")
    # when an email is sent
    task = await _send(admin, run_jobs)
    # then the server saw the decoded credentials and received the message
    assert task == {"status": "SUCCEEDED", "error": None}
    assert authenticator.logins == [("mailroom", "s3cr3t p@ss")]
    [received] = sink.received
    assert message_from_bytes(received.data, policy=policy.default)["Subject"] == "Hi"


async def test_wrong_credentials_fail_the_send_without_retrying(
    admin, run_jobs, auth_server, settings
):
    sink, authenticator, port = auth_server
    settings(
        mail_url=f"smtp://mailroom:wrong@127.0.0.1:{port}?starttls=off",
        send_retry_base_seconds=0,
    )
    task = await _send(admin, run_jobs)
    # 535 is permanent: one try, FAILED with the server's reply
    assert task["status"] == "FAILED"
    assert "535" in task["error"]["message"]
    assert set(authenticator.logins) == {("mailroom", "wrong")}  # PLAIN, then LOGIN
    assert sink.received == []
