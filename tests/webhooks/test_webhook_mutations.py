"""createWebhook, updateWebhook, deleteWebhook and the queries: inputs, addresses,
roles and organizations."""

import pytest

from app.accounts.models import Role
from app.webhooks.models import Webhook
from tests.helpers import (
    assert_forbidden,
    assert_input_error,
    error_code,
    gid,
    mutate,
)
from tests.webhooks.receiver import (
    CREATE,
    DELETE,
    NODE,
    REDELIVER,
    UPDATE,
    WEBHOOK,
    WEBHOOKS,
    create_webhook,
    import_email,
    webhook_with_deliveries,
)


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:8080/hooks",
        "http://localhost/hooks",
        "http://10.1.2.3/hooks",
        "http://192.168.0.10/hooks",
        "http://169.254.169.254/latest/meta-data",
        "http://[::1]/hooks",
        "http://[fe80::1]/hooks",
        "http://0.0.0.0/hooks",
    ],
)
async def test_private_loopback_and_link_local_addresses_are_refused(
    admin, settings, url
):
    settings(webhook_allow_private_networks="false")
    result = await mutate(
        admin, CREATE, {"input": {"url": url, "events": ["EMAIL_SENT"]}}
    )
    assert_input_error(result, "BAD_REQUEST", "url")
    assert await Webhook.all().count() == 0


async def test_an_allowed_webhook_cannot_be_moved_to_a_private_address(admin, settings):
    settings(webhook_allow_private_networks="true")
    webhook, _ = await create_webhook(admin, "http://127.0.0.1:9/x", ["EMAIL_SENT"])
    settings(webhook_allow_private_networks="false")
    result = await mutate(
        admin, UPDATE, {"input": {"id": webhook["id"], "url": "http://10.0.0.1/"}}
    )
    assert_input_error(result, "BAD_REQUEST", "url")


@pytest.mark.parametrize(
    ("input", "field"),
    [
        ({"url": "ftp://files.example/hooks"}, "url"),
        ({"url": "not a url"}, "url"),
        ({"url": "http:///nohost"}, "url"),
        ({"url": "http://user:pw@127.0.0.1/"}, "url"),
        ({"url": "http://127.0.0.1:99999/"}, "url"),
        ({"url": "http://127.0.0.1/" + "x" * 2000}, "url"),
        ({"events": []}, "events"),
        ({"description": "x" * 501}, "description"),
    ],
)
async def test_bad_inputs_are_input_errors_on_their_field(
    admin, settings, input, field
):
    settings(webhook_allow_private_networks="true")
    base = {"url": "http://127.0.0.1/hooks", "events": ["EMAIL_SENT"]}
    result = await mutate(admin, CREATE, {"input": {**base, **input}})
    assert_input_error(result, "BAD_REQUEST", field)
    assert await Webhook.all().count() == 0


async def test_update_changes_what_is_given_and_enabling_clears_failures(
    admin, settings
):
    settings(webhook_allow_private_networks="true")
    webhook, _ = await create_webhook(
        admin, "http://127.0.0.1:9/a", ["EMAIL_SENT"], description="first"
    )
    await Webhook.filter(id=1).update(enabled=False, failure_count=7)
    result = await mutate(
        admin,
        UPDATE,
        {
            "input": {
                "id": webhook["id"],
                "events": ["TASK_FINISHED", "EMAIL_RECEIVED", "TASK_FINISHED"],
                "enabled": True,
            }
        },
    )
    assert result["__typename"] == "Webhook", result
    assert result["events"] == ["EMAIL_RECEIVED", "TASK_FINISHED"]
    assert (result["url"], result["description"]) == ("http://127.0.0.1:9/a", "first")
    assert (result["enabled"], result["failureCount"]) == (True, 0)


async def test_delete_removes_the_webhook(admin, settings):
    settings(webhook_allow_private_networks="true")
    webhook, _ = await create_webhook(admin, "http://127.0.0.1:9/a", ["EMAIL_SENT"])
    result = await mutate(admin, DELETE, {"input": {"id": webhook["id"]}})
    assert result == {"__typename": "DeleteWebhookPayload", "id": webhook["id"]}
    assert (await admin.data(WEBHOOKS))["webhooks"]["totalCount"] == 0
    again = await mutate(admin, DELETE, {"input": {"id": webhook["id"]}})
    assert_input_error(again, "NOT_FOUND", "id")


async def test_webhooks_are_for_admins_only(admin, settings):
    settings(webhook_allow_private_networks="true")
    webhook, _ = await create_webhook(admin, "http://127.0.0.1:9/a", ["EMAIL_SENT"])
    manager = await admin.add_user(Role.MANAGER)
    variables = {"input": {"url": "http://127.0.0.1:9/b", "events": ["EMAIL_SENT"]}}
    assert_forbidden(await manager.gql(CREATE, variables))
    assert_forbidden(
        await manager.gql(UPDATE, {"input": {"id": webhook["id"], "enabled": False}})
    )
    assert_forbidden(await manager.gql(DELETE, {"input": {"id": webhook["id"]}}))
    assert_forbidden(
        await manager.gql(
            REDELIVER, {"input": {"deliveryId": gid("WebhookDelivery", 1)}}
        )
    )
    assert_forbidden(await manager.gql(WEBHOOKS))
    one = await manager.gql(WEBHOOK, {"id": webhook["id"]})
    assert (one["data"], error_code(one)) == ({"webhook": None}, "ACCESS_FORBIDDEN")
    # node answers null, as for anything not the caller's
    assert (await manager.data(NODE, {"id": webhook["id"]})) == {"node": None}
    assert (await admin.data(NODE, {"id": webhook["id"]}))["node"] == {
        "__typename": "Webhook",
        "id": webhook["id"],
    }
    # and nothing changed
    assert await Webhook.filter(enabled=True).count() == 1


async def test_other_organizations_webhooks_are_never_visible(
    admin, make_org, inbox, receiver, run_jobs
):
    # given a webhook of each organization, and a delivery of the admin's
    other = await make_org("Other")
    mine, _ = await create_webhook(admin, receiver.url, ["TASK_FINISHED"])
    theirs, _ = await create_webhook(other, receiver.url + "/other", ["TASK_FINISHED"])
    await import_email(admin, "Mine")
    await run_jobs()
    # then only the admin's webhook was called
    assert [r.path for r in receiver.requests] == ["/hooks"]
    [delivery] = (await webhook_with_deliveries(admin, mine["id"]))["deliveries"][
        "nodes"
    ]
    # and the other organization sees none of it
    listed = (await other.data(WEBHOOKS))["webhooks"]
    assert [w["id"] for w in listed["nodes"]] == [theirs["id"]]
    assert (await other.data(WEBHOOK, {"id": mine["id"]})) == {"webhook": None}
    for global_id in (mine["id"], delivery["id"]):
        assert (await other.data(NODE, {"id": global_id})) == {"node": None}
    for document, input, field in [
        (UPDATE, {"id": mine["id"], "enabled": False}, "id"),
        (DELETE, {"id": mine["id"]}, "id"),
        (REDELIVER, {"deliveryId": delivery["id"]}, "deliveryId"),
    ]:
        assert_input_error(
            await mutate(other, document, {"input": input}), "NOT_FOUND", field
        )
    assert await Webhook.filter(enabled=True).count() == 2
    assert len(receiver.requests) == 1
