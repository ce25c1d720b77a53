"""Schemathesis against the real `mailroom serve`: every query and mutation of the
schema, with generated arguments and selections, a few times each. Whatever the
input, the API answers JSON without a server error: no 5xx, no INTERNAL_ERROR.

Bounded for the suite (SCHEMATHESIS_EXAMPLES per operation, default 3); `make fuzz`
runs many more. The rate limits are raised: one token is the whole crowd here."""

import os
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, settings

from .harness import ROOT, Stack, Tenant

EXAMPLES = int(os.environ.get("SCHEMATHESIS_EXAMPLES", "3"))


@pytest.fixture(scope="module")
def served(stack: Stack, tenant: Tenant) -> Stack:
    stack.env.update(
        RATE_LIMIT_PER_MINUTE="1000000", RATE_LIMIT_PER_IP_PER_MINUTE="1000000"
    )
    stack.start_serve()
    return stack


# The committed schema, which a test keeps equal to what the code serves.
schema = schemathesis.graphql.from_path(ROOT / "schema.graphql")


@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    database=None,
)
def test_no_generated_operation_gets_a_server_error(
    case: Any, served: Stack, tenant: Tenant
):
    response = case.call(
        base_url=f"{served.base_url}/graphql", headers=_auth(tenant), timeout=30
    )
    assert response.status_code < 500, response.text[:500]
    [content_type] = response.headers["content-type"]
    assert content_type.startswith("application/json")
    errors = response.json().get("errors") or []
    codes = {(e.get("extensions") or {}).get("code") for e in errors}
    assert "INTERNAL_ERROR" not in codes, errors


def _auth(tenant: Tenant) -> dict[str, str]:
    return {"Authorization": f"Bearer {tenant.token}"}
