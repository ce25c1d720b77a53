"""updateEmail: labels, metadata, status, unread and external id."""

from datetime import UTC, datetime

import pytest

from app.accounts.models import Role
from app.mail.models import Email, EmailStatus
from app.mail.relations import EmailLabel
from tests.graphql.mutation_documents import UPDATE_EMAIL
from tests.helpers import assert_input_error, gid_of, mutate


async def labels_of(email: Email) -> list[str]:
    return sorted(
        await EmailLabel.filter(email_id=email.id).values_list("label", flat=True)
    )


async def _email_state(email: Email) -> tuple:
    row = await Email.get(id=email.id)
    return (
        row.metadata,
        row.status,
        row.unread,
        row.external_id,
        await labels_of(email),
    )


async def test_update_email_labels_replace_the_old_ones(admin, email):
    # given an email labelled FORWARDED
    assert await labels_of(email) == ["FORWARDED"]
    # when its labels are set to REPLY and REJECTED (REPLY twice)
    result = await mutate(
        admin,
        UPDATE_EMAIL,
        {"input": {"id": gid_of(email), "labels": ["REPLY", "REJECTED", "REPLY"]}},
    )
    # then it has exactly those, and nothing else changed
    assert result["__typename"] == "Email", result
    assert sorted(result["labels"]) == ["REJECTED", "REPLY"]
    assert await labels_of(email) == ["REJECTED", "REPLY"]
    assert result["metadata"] == {"source": "test"} and result["unread"] is True


async def test_update_email_with_no_labels_clears_them_and_null_keeps_them(
    admin, email
):
    kept = await mutate(
        admin, UPDATE_EMAIL, {"input": {"id": gid_of(email), "labels": None}}
    )
    assert kept["labels"] == ["FORWARDED"]
    cleared = await mutate(
        admin, UPDATE_EMAIL, {"input": {"id": gid_of(email), "labels": []}}
    )
    assert cleared["labels"] == []
    assert await labels_of(email) == []


async def test_update_email_metadata_replaces_it(admin, email):
    # when metadata is set to 50 keys (the limit)
    metadata = {f"k{i}": {"nested": [i]} for i in range(50)}
    result = await mutate(
        admin, UPDATE_EMAIL, {"input": {"id": gid_of(email), "metadata": metadata}}
    )
    # then it replaces the old metadata entirely
    assert result["metadata"] == metadata
    assert (await Email.get(id=email.id)).metadata == metadata


async def test_update_email_metadata_over_50_keys_changes_nothing(admin, email):
    # given the email's state
    before = await _email_state(email)
    # when 51 metadata keys are sent along with other changes
    result = await mutate(
        admin,
        UPDATE_EMAIL,
        {
            "input": {
                "id": gid_of(email),
                "metadata": {f"k{i}": i for i in range(51)},
                "labels": ["REPLY"],
                "unread": False,
                "status": "RESOLVED",
                "externalId": "X",
            }
        },
    )
    # then it is an InputError on "metadata", and none of the changes is applied
    assert_input_error(result, "BAD_REQUEST", "metadata")
    assert await _email_state(email) == before


@pytest.mark.parametrize(
    "metadata", [[1, 2], "text", 7, True], ids=["list", "string", "number", "boolean"]
)
async def test_update_email_metadata_must_be_an_object(admin, email, metadata):
    before = await _email_state(email)
    result = await mutate(
        admin, UPDATE_EMAIL, {"input": {"id": gid_of(email), "metadata": metadata}}
    )
    assert_input_error(result, "BAD_REQUEST", "metadata")
    assert await _email_state(email) == before


async def test_update_email_resolves_and_unresolves(admin, email):
    # when the email is resolved
    resolved = await mutate(
        admin, UPDATE_EMAIL, {"input": {"id": gid_of(email), "status": "RESOLVED"}}
    )
    # then it is stored RESOLVED
    assert resolved["status"] == "RESOLVED"
    assert (await Email.get(id=email.id)).status == EmailStatus.RESOLVED
    # and when it is set back to UNRESOLVED, it is
    reopened = await mutate(
        admin, UPDATE_EMAIL, {"input": {"id": gid_of(email), "status": "UNRESOLVED"}}
    )
    assert reopened["status"] == "UNRESOLVED"
    assert (await Email.get(id=email.id)).status == EmailStatus.UNRESOLVED


async def test_update_email_resolving_a_dismissed_email_clears_the_dismissal(
    admin, email
):
    # given a dismissed email
    await Email.filter(id=email.id).update(
        status=EmailStatus.DISMISSED,
        dismissed_at=datetime.now(UTC),
        dismissed_by_id=admin.user_id,
    )
    # when it is set UNRESOLVED
    result = await mutate(
        admin, UPDATE_EMAIL, {"input": {"id": gid_of(email), "status": "UNRESOLVED"}}
    )
    # then it is no longer dismissed
    assert (result["status"], result["dismissedAt"]) == ("UNRESOLVED", None)
    row = await Email.get(id=email.id)
    assert (row.status, row.dismissed_at, row.dismissed_by_id) == (
        EmailStatus.UNRESOLVED,
        None,
        None,
    )


async def test_update_email_refuses_to_dismiss(admin, email):
    # when DISMISSED is set through updateEmail (dismissEmail is the way)
    result = await mutate(
        admin,
        UPDATE_EMAIL,
        {"input": {"id": gid_of(email), "status": "DISMISSED", "unread": False}},
    )
    # then it is an InputError on "status", and nothing changes
    assert_input_error(result, "BAD_REQUEST", "status")
    row = await Email.get(id=email.id)
    assert (row.status, row.unread) == (EmailStatus.UNRESOLVED, True)


async def test_update_email_marks_read_and_unread(admin, email):
    read = await mutate(
        admin, UPDATE_EMAIL, {"input": {"id": gid_of(email), "unread": False}}
    )
    assert read["unread"] is False
    assert (await Email.get(id=email.id)).unread is False
    unread = await mutate(
        admin, UPDATE_EMAIL, {"input": {"id": gid_of(email), "unread": True}}
    )
    assert unread["unread"] is True
    assert (await Email.get(id=email.id)).unread is True


async def test_update_email_sets_and_clears_the_external_id(admin, email):
    # when an external id is set
    result = await mutate(
        admin, UPDATE_EMAIL, {"input": {"id": gid_of(email), "externalId": "CRM-1234"}}
    )
    assert result["externalId"] == "CRM-1234"
    assert (await Email.get(id=email.id)).external_id == "CRM-1234"
    # and when an empty one is set, it is cleared
    cleared = await mutate(
        admin, UPDATE_EMAIL, {"input": {"id": gid_of(email), "externalId": ""}}
    )
    assert cleared["externalId"] is None
    assert (await Email.get(id=email.id)).external_id is None


async def test_update_email_refuses_a_too_long_external_id(admin, email):
    result = await mutate(
        admin, UPDATE_EMAIL, {"input": {"id": gid_of(email), "externalId": "x" * 201}}
    )
    assert_input_error(result, "BAD_REQUEST", "externalId")
    assert (await Email.get(id=email.id)).external_id is None


async def test_an_annotator_may_update_an_email(admin, email):
    annotator = await admin.add_user(Role.ANNOTATOR)
    result = await mutate(
        annotator, UPDATE_EMAIL, {"input": {"id": gid_of(email), "unread": False}}
    )
    assert result["__typename"] == "Email"
