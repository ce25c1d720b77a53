"""The log lines of a request and of a job, as JSON: timestamp, level, logger,
event, the request id (the client's when sane), operation, organization, task."""

import io
import json
import logging
import re
from collections.abc import Iterator
from datetime import datetime

import pytest

from app.core.logs import JsonFormatter, request_id_from
from tests import mailcorpus as mc
from tests.helpers import auth, pk_of
from tests.intake.importing import imported, intake_inbox

VIEWER = {"query": "query Viewer { viewer { id } }"}


class Lines:
    def __init__(self) -> None:
        self.stream = io.StringIO()

    def all(self) -> list[dict]:
        return [json.loads(line) for line in self.stream.getvalue().splitlines()]

    def of(self, logger: str, event: str) -> list[dict]:
        return [x for x in self.all() if x["logger"] == logger and x["event"] == event]

    def graphql_requests(self) -> list[dict]:
        requests = self.of("mailroom.http", "request")
        return [x for x in requests if x["path"] == "/graphql"]


@pytest.fixture
def lines(app) -> Iterator[Lines]:
    """The JSON lines the process writes, from a handler like the one on stderr."""
    captured = Lines()
    handler = logging.StreamHandler(captured.stream)
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    level = root.level
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    yield captured
    root.removeHandler(handler)
    root.setLevel(level)


async def test_a_request_line_names_request_operation_and_organization(
    admin, client, lines
):
    response = await client.post(
        "/graphql",
        json=VIEWER,
        headers={**auth(admin.token), "X-Request-ID": "lb-7f3a.b_c-9"},
    )
    assert response.status_code == 200
    assert response.headers["X-Request-ID"] == "lb-7f3a.b_c-9"
    [line] = lines.graphql_requests()
    assert list(line)[:4] == ["timestamp", "level", "logger", "event"]
    assert line["timestamp"].endswith("Z")
    assert datetime.fromisoformat(line["timestamp"]).utcoffset().total_seconds() == 0
    assert line["level"] == "info"
    assert line["request_id"] == "lb-7f3a.b_c-9"
    assert line["operation"] == "Viewer"
    assert line["organization_id"] == admin.organization_id
    assert line["graphql_field"] == "viewer" and line["outcome"] == "ok"
    assert line["status"] == 200 and line["method"] == "POST"


@pytest.mark.parametrize(
    "hostile",
    [
        pytest.param("x" * 65, id="too-long"),
        pytest.param('a" , "level": "error', id="quotes"),
        pytest.param("ünïcode", id="non-ascii"),
        pytest.param("", id="empty"),
    ],
)
async def test_a_hostile_request_id_is_replaced(admin, client, lines, hostile):
    response = await client.post(
        "/graphql",
        json=VIEWER,
        headers={**auth(admin.token), "X-Request-ID": hostile.encode()},
    )
    assert response.status_code == 200
    fresh = response.headers["X-Request-ID"]
    assert re.fullmatch("[0-9a-f]{32}", fresh)
    [line] = lines.graphql_requests()
    assert line["request_id"] == fresh
    if hostile:
        assert hostile not in lines.stream.getvalue()


def test_a_sane_request_id_is_kept_and_others_are_not():
    assert request_id_from("abc-DEF_1.2") == "abc-DEF_1.2"
    assert request_id_from("a" * 64) == "a" * 64
    for bad in (None, "", "a" * 65, "a b", "a\nb", "a/b", "ä"):
        assert request_id_from(bad) != bad


async def test_a_job_line_names_task_kind_and_organization(admin, run_jobs, lines):
    await intake_inbox(admin.organization_id)
    task = await imported(admin, run_jobs, mc.simple())
    assert task["status"] == "SUCCEEDED"
    [job] = lines.of("mailroom.jobs", "job")
    assert job["task_id"] == str(pk_of(task["id"]))
    assert job["kind"] == "IMPORT_EMAIL"
    assert job["organization_id"] == admin.organization_id
    assert job["result"] == "succeeded" and job["level"] == "info"
    assert job["timestamp"].endswith("Z") and isinstance(job["ms"], float)
    # arq's own start and finish lines are DEBUG: not at INFO
    arq = [x["event"] for x in lines.all() if x["logger"] == "arq.worker"]
    assert arq and not [e for e in arq if "→" in e or "←" in e], arq
    # and nothing of the request that queued the job leaks into the job's line
    assert "request_id" not in job


def test_aiosmtpd_command_lines_are_quieter(app):
    assert not logging.getLogger("mail.log").isEnabledFor(logging.INFO)
    assert logging.getLogger("mail.log").isEnabledFor(logging.WARNING)
