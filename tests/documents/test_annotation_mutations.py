"""updateAnnotation: status, assignee and metadata."""

import pytest

from app.accounts.models import Role
from app.core import ids
from app.documents.models import Annotation, AnnotationStatus
from tests.helpers import ERROR, assert_input_error, gid_of, mutate

# --------------------------------------------------------------------- annotations


UPDATE_ANNOTATION = f"""mutation($input: UpdateAnnotationInput!) {{
  updateAnnotation(input: $input) {{
    __typename ... on Annotation {{ id status metadata assignee {{ id }} }}
    {ERROR} }} }}"""


@pytest.fixture
async def annotation(admin, queue, email) -> Annotation:
    return await Annotation.create(
        organization_id=admin.organization_id,
        queue_id=queue.id,
        email=email,
        email_thread_id=email.email_thread_id,
        status=AnnotationStatus.TO_REVIEW,
        metadata={"old": True},
    )


async def test_update_annotation_changes_its_status(admin, annotation):
    # when an annotator confirms the annotation
    annotator = await admin.add_user(Role.ANNOTATOR)
    result = await mutate(
        annotator,
        UPDATE_ANNOTATION,
        {"input": {"id": gid_of(annotation), "status": "CONFIRMED"}},
    )
    # then it is stored CONFIRMED, metadata and assignee untouched
    assert result == {
        "__typename": "Annotation",
        "id": gid_of(annotation),
        "status": "CONFIRMED",
        "metadata": {"old": True},
        "assignee": None,
    }
    row = await Annotation.get(id=annotation.id)
    assert row.status == AnnotationStatus.CONFIRMED
    assert row.modified_at >= annotation.modified_at


async def test_update_annotation_refuses_importing(admin, annotation):
    result = await mutate(
        admin,
        UPDATE_ANNOTATION,
        {"input": {"id": gid_of(annotation), "status": "IMPORTING"}},
    )
    assert_input_error(result, "BAD_REQUEST", "status")
    assert (await Annotation.get(id=annotation.id)).status == AnnotationStatus.TO_REVIEW


async def test_update_annotation_assigns_and_clears_the_assignee(admin, annotation):
    # given an annotator of the organization
    annotator = await admin.add_user(Role.ANNOTATOR)
    # when the annotation is assigned to them
    result = await mutate(
        admin,
        UPDATE_ANNOTATION,
        {
            "input": {
                "id": gid_of(annotation),
                "assignee": ids.encode("User", annotator.user_id),
            }
        },
    )
    # then they are its assignee
    assert result["assignee"] == {"id": ids.encode("User", annotator.user_id)}
    assert (await Annotation.get(id=annotation.id)).assignee_id == annotator.user_id
    # and when the assignee is cleared, there is none
    cleared = await mutate(
        admin,
        UPDATE_ANNOTATION,
        {"input": {"id": gid_of(annotation), "clearAssignee": True}},
    )
    assert cleared["assignee"] is None
    assert (await Annotation.get(id=annotation.id)).assignee_id is None


async def test_update_annotation_with_an_unknown_assignee_is_not_found(
    admin, annotation
):
    result = await mutate(
        admin,
        UPDATE_ANNOTATION,
        {
            "input": {
                "id": gid_of(annotation),
                "assignee": ids.encode("User", 424242),
                "status": "CONFIRMED",
            }
        },
    )
    assert_input_error(result, "NOT_FOUND", "assignee")
    row = await Annotation.get(id=annotation.id)
    assert (row.status, row.assignee_id) == (AnnotationStatus.TO_REVIEW, None)


async def test_update_annotation_metadata_replaces_it(admin, annotation):
    result = await mutate(
        admin,
        UPDATE_ANNOTATION,
        {
            "input": {
                "id": gid_of(annotation),
                "metadata": {"reviewed_by": "jane", "score": 0.9},
            }
        },
    )
    assert result["metadata"] == {"reviewed_by": "jane", "score": 0.9}
    assert (await Annotation.get(id=annotation.id)).metadata == {
        "reviewed_by": "jane",
        "score": 0.9,
    }


@pytest.mark.parametrize(
    "metadata",
    [{f"k{i}": i for i in range(51)}, ["a"]],
    ids=["51-keys", "not-an-object"],
)
async def test_update_annotation_refuses_bad_metadata(admin, annotation, metadata):
    result = await mutate(
        admin,
        UPDATE_ANNOTATION,
        {
            "input": {
                "id": gid_of(annotation),
                "metadata": metadata,
                "status": "CONFIRMED",
            }
        },
    )
    assert_input_error(result, "BAD_REQUEST", "metadata")
    row = await Annotation.get(id=annotation.id)
    assert (row.metadata, row.status) == ({"old": True}, AnnotationStatus.TO_REVIEW)


async def test_update_annotation_of_an_unknown_id_is_not_found(admin):
    result = await mutate(
        admin,
        UPDATE_ANNOTATION,
        {"input": {"id": ids.encode("Annotation", 424242), "status": "CONFIRMED"}},
    )
    assert_input_error(result, "NOT_FOUND", "id")
