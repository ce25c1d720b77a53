"""Every Prometheus metric Mailroom records, in one place.

prometheus-client decides at import whether values live in this process or in
files under PROMETHEUS_MULTIPROC_DIR (`mailroom serve` sets it up before any
worker process starts, see app.http.metrics), so several API processes report one
truth. Labels are bounded sets from code or the schema, never client text.
Queue depth is not here: it is counted from the database at scrape time.
"""

from prometheus_client import Counter, Histogram

HTTP_REQUESTS = Counter(
    "mailroom_http_requests", "HTTP requests by route and status", ["path", "status"]
)
HTTP_SECONDS = Histogram(
    "mailroom_http_request_seconds", "HTTP request latency", ["path"]
)
OPERATIONS = Counter(
    "mailroom_graphql_operations",
    "GraphQL operations by root field and outcome (ok, client_error, error)",
    ["operation", "outcome"],
)
OPERATION_SECONDS = Histogram(
    "mailroom_graphql_operation_seconds",
    "GraphQL operation latency by root field",
    ["operation"],
)
JOBS = Counter(
    "mailroom_jobs", "Task jobs by kind and how their run ended", ["kind", "outcome"]
)
JOB_SECONDS = Histogram(
    "mailroom_job_seconds",
    "Task job run time by kind",
    ["kind"],
    buckets=(0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300),
)
IMPORTS = Counter(
    "mailroom_imports",
    "Import jobs by source (api, smtp, cli) and outcome (new, duplicate, failed)",
    ["source", "outcome"],
)
SENDS = Counter(
    "mailroom_sends",
    "Delivery tries by outcome (sent, retrying, failed, uncertain)",
    ["outcome"],
)
SMTP_FAILURES = Counter(
    "mailroom_smtp_failures",
    "Refused or broken SMTP deliveries (temporary, permanent, uncertain)",
    ["kind"],
)
WEBHOOK_DELIVERIES = Counter(
    "mailroom_webhook_deliveries",
    "Webhook delivery tries by event and outcome (delivered, retrying, failed)",
    ["event", "outcome"],
)


def label(value: str) -> str:
    """One word for a label value: `handed back` -> `handed_back`."""
    return value.replace(" ", "_")
