"""deleteEmail: the email goes, its children, documents and annotations stay."""

from app.accounts.models import Role
from app.documents.models import Annotation, Document
from app.mail.models import Email, EmailThread
from app.mail.relations import EmailLabel
from tests.factories import make_annotation, new_email
from tests.helpers import ERROR, assert_input_error, gid_of, mutate

DELETE_EMAIL = f"""mutation($id: ID!) {{ deleteEmail(input: {{id: $id}}) {{
  __typename ... on DeleteEmailPayload {{ id }} {ERROR} }} }}"""


async def test_delete_email_removes_it(admin, email):
    # when a manager deletes the email
    manager = await admin.add_user(Role.MANAGER)
    result = await mutate(manager, DELETE_EMAIL, {"id": gid_of(email)})
    # then the payload names it, and it is gone from the database and the API
    assert result == {"__typename": "DeleteEmailPayload", "id": gid_of(email)}
    assert not await Email.filter(id=email.id).exists()
    assert await EmailLabel.filter(email_id=email.id).count() == 0
    data = await admin.data(
        "query($id: ID!) { email(id: $id) { id } emails { totalCount } }",
        {"id": gid_of(email)},
    )
    assert data == {"email": None, "emails": {"totalCount": 0}}
    # and deleting it again is NOT_FOUND
    again = await mutate(manager, DELETE_EMAIL, {"id": gid_of(email)})
    assert_input_error(again, "NOT_FOUND", "id")


async def test_delete_email_reparents_its_children(admin, queue, email):
    # given a thread root <- reply <- (reply-to-reply, second reply-to-reply)
    thread = await EmailThread.get(id=email.email_thread_id)
    reply = await new_email(
        admin, queue, subject="Re: Invoice 42", thread=thread, parent=email
    )
    grandchildren = [
        await new_email(
            admin, queue, subject="Re: Re: Invoice 42", thread=thread, parent=reply
        )
        for _ in range(2)
    ]
    # when the middle email is deleted
    result = await mutate(admin, DELETE_EMAIL, {"id": gid_of(reply)})
    assert result["__typename"] == "DeleteEmailPayload"
    # then its children now hang from its parent, in the same thread
    for child in grandchildren:
        row = await Email.get(id=child.id)
        assert (row.parent_id, row.email_thread_id) == (email.id, thread.id)
    data = await admin.data(
        "query($id: ID!) { email(id: $id) { children { id } } }", {"id": gid_of(email)}
    )
    assert [c["id"] for c in data["email"]["children"]] == [
        gid_of(c) for c in grandchildren
    ]


async def test_deleting_a_root_email_leaves_its_children_without_parent(
    admin, queue, email
):
    # given a root email with a reply
    thread = await EmailThread.get(id=email.email_thread_id)
    reply = await new_email(
        admin, queue, subject="Re: Invoice 42", thread=thread, parent=email
    )
    # when the root is deleted
    await mutate(admin, DELETE_EMAIL, {"id": gid_of(email)})
    # then the reply stays, in its thread, with no parent
    row = await Email.get(id=reply.id)
    assert (row.parent_id, row.email_thread_id) == (None, thread.id)


async def test_delete_email_keeps_its_documents_and_annotations(admin, queue, email):
    # given a document and an annotation that arrived with the email
    document = await Document.create(
        organization_id=admin.organization_id, email=email, original_file_name="a.pdf"
    )
    annotation = await make_annotation(email, document)
    # when the email is deleted
    await mutate(admin, DELETE_EMAIL, {"id": gid_of(email)})
    # then they stay, unlinked from it
    assert (await Document.get(id=document.id)).email_id is None
    assert (await Annotation.get(id=annotation.id)).email_id is None
