"""A client that goes away mid-request is no error: nothing at ERROR in the logs,
and the request log names it 499."""

import asyncio
import logging

from tests.faults.servers import served
from tests.helpers import auth, request_logged


async def test_a_client_that_disconnects_mid_upload_is_not_an_error(app, admin, caplog):
    caplog.set_level(logging.INFO)
    async with served(app) as client:
        port = client.base_url.port
        # Given a client that announces a body of 100 kB, sends a little, and leaves
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        head = (
            "POST /graphql HTTP/1.1\r\nHost: test\r\nContent-Type: application/json\r\n"
            f"Authorization: {auth(admin.token)['Authorization']}\r\n"
            "Content-Length: 100000\r\n\r\n"
        )
        writer.write(head.encode() + b'{"query": "{ viewer')
        await writer.drain()
        await asyncio.sleep(0.3)
        writer.close()
        await writer.wait_closed()

        # When the server has finished with the request
        record = await request_logged(caplog, "/graphql")

    # Then the request log says the client left, and nothing is logged as an error
    assert record.fields["status"] == 499, record.fields
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert not errors, [r.getMessage() for r in errors]
