"""`mailroom serve --workers 2` as a real process: /metrics sums both API
processes whichever answers the scrape, and stderr is one JSON object a line,
each request's naming the X-Request-ID its client sent."""

import concurrent.futures
import json
import uuid
from pathlib import Path

import httpx
import psutil
from prometheus_client.parser import text_string_to_metric_families

from .harness import Stack, Tenant, example, free_port, wait_until

VIEWER = {"query": "query Viewer { viewer { id } }", "operationName": "Viewer"}


def sample(text: str, name: str, **labels: str) -> float:
    for family in text_string_to_metric_families(text):
        for found in family.samples:
            if found.name == name and found.labels == labels:
                return found.value
    return 0.0


def metrics_dirs(serve_pid: int) -> set[str]:
    """PROMETHEUS_MULTIPROC_DIR as the API processes `serve` started see it."""
    found = set()
    for child in psutil.Process(serve_pid).children(recursive=True):
        directory = child.environ().get("PROMETHEUS_MULTIPROC_DIR")
        if directory:
            found.add(directory)
    return found


def answering_pids(directory: str) -> set[str]:
    return {p.stem.rsplit("_", 1)[-1] for p in Path(directory).glob("counter_*.db")}


def test_two_api_processes_report_one_truth(stack: Stack, tenant: Tenant) -> None:
    # Given `serve` with two API processes
    serve = stack.start_serve(workers=2)
    [directory] = metrics_dirs(serve.pid)
    run = uuid.uuid4().hex[:8]
    headers = {"Authorization": f"Bearer {tenant.token}"}

    def ask(n: int) -> str:
        # A connection each, so that either process may take it.
        response = httpx.post(
            f"{stack.base_url}/graphql",
            json=VIEWER,
            headers={**headers, "X-Request-ID": f"e2e-{run}-{n}"},
            timeout=10,
        )
        assert response.status_code == 200, response.text
        return response.headers["x-request-id"]

    # When clients ask until both processes have answered some
    sent: list[str] = []
    with concurrent.futures.ThreadPoolExecutor(8) as pool:
        while len(answering_pids(directory)) < 2 or len(sent) < 40:
            assert len(sent) < 400, "one API process answered everything"
            sent += pool.map(ask, range(len(sent), len(sent) + 8))
    assert sent == [f"e2e-{run}-{n}" for n in range(len(sent))]

    # Then every scrape counts each request once, whichever process answers it
    for _ in range(6):
        text = httpx.get(f"{stack.base_url}/metrics", timeout=10).text
        operations = sample(
            text,
            "mailroom_graphql_operations_total",
            operation="viewer",
            outcome="ok",
        )
        assert operations == len(sent)
        assert sample(
            text, "mailroom_http_requests_total", path="/graphql", status="200"
        ) == len(sent)
        assert sample(
            text, "mailroom_graphql_operation_seconds_count", operation="viewer"
        ) == len(sent)

    # And stderr is JSON lines; each request's names its id, operation, organization
    def request_lines() -> list[dict]:
        lines = [json.loads(line) for line in serve.stderr_text().splitlines()]
        return [
            line
            for line in lines
            if line["event"] == "request" and line.get("path") == "/graphql"
        ]

    wait_until(lambda: len(request_lines()) == len(sent), timeout=10, what="lines")
    lines = request_lines()
    assert sorted(line["request_id"] for line in lines) == sorted(sent)
    for line in lines:
        assert {"timestamp", "level", "logger", "event"} <= set(line)
        assert line["timestamp"].endswith("Z") and line["level"] == "info"
        assert line["operation"] == "Viewer" and line["outcome"] == "ok"
        assert isinstance(line["organization_id"], int)

    # And the run's metrics directory goes with it
    stack.stop_services()
    assert not Path(directory).exists()


def test_the_worker_serves_its_own_metrics(stack: Stack, tenant: Tenant) -> None:
    # Given a worker with WORKER_METRICS_PORT, and the API
    port = free_port()
    stack.env["WORKER_METRICS_PORT"] = str(port)
    stack.start_serve()
    worker = stack.start_worker()
    api = stack.api(tenant.token)

    # When a message is imported
    task = api.import_base64(example("invoice.eml"), tenant.address)
    assert api.wait_task(task["id"])["status"] == "SUCCEEDED"

    # Then the worker's endpoint counts the job and the import
    text = httpx.get(f"http://127.0.0.1:{port}/metrics", timeout=10).text
    jobs = "mailroom_jobs_total"
    assert sample(text, jobs, kind="IMPORT_EMAIL", outcome="succeeded") == 1
    assert sample(text, "mailroom_imports_total", source="api", outcome="new") == 1
    assert sample(text, "mailroom_job_seconds_count", kind="IMPORT_EMAIL") == 1
    # and its log lines are JSON too, the job's naming its task
    lines = [json.loads(line) for line in worker.stderr_text().splitlines()]
    [job] = [line for line in lines if line["event"] == "job"]
    assert job["task_id"] and job["kind"] == "IMPORT_EMAIL"
    stack.stop_services()
