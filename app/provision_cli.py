"""`mailroom org|user|token|queue|inbox …`: provisioning by command, printing
global ids (JSON with `--json`) so scripts can chain them."""

import json
from typing import Annotated, Any

import typer

from app.accounts import service as accounts
from app.accounts.models import Role
from app.cli_db import with_db
from app.core.errors import MailroomError

org_app = typer.Typer(help="Organizations.", no_args_is_help=True)
user_app = typer.Typer(help="Users.", no_args_is_help=True)
token_app = typer.Typer(help="API tokens.", no_args_is_help=True)
queue_app = typer.Typer(help="Queues.", no_args_is_help=True)
inbox_app = typer.Typer(help="Inboxes.", no_args_is_help=True)


@org_app.command("create")
def org_create(
    name: str,
    admin_email: Annotated[str, typer.Option(help="Email of the first ADMIN user.")],
    admin_name: Annotated[str, typer.Option()] = "",
    send_limit: Annotated[
        int | None, typer.Option(help="Outgoing email allowance.")
    ] = None,
    trial: Annotated[
        bool, typer.Option(help="A trial: the trial send limit (10) unless given.")
    ] = False,
) -> None:
    """Create an organization, its admin user and a token; print them as JSON."""
    from app.core import ids

    org, user, token = with_db(
        lambda: accounts.create_organization(
            name=name,
            admin_email=admin_email,
            admin_name=admin_name,
            send_limit=send_limit,
            trial=trial,
        )
    )
    typer.echo(
        json.dumps(
            {
                "organization": ids.encode("Organization", org.id),
                "user": ids.encode("User", user.id),
                "token": token,
            }
        )
    )


@user_app.command("create")
def user_create(
    email: str,
    organization: Annotated[str, typer.Option(help="Organization global id.")],
    role: Annotated[Role, typer.Option(case_sensitive=False)] = Role.VIEWER,
    full_name: Annotated[str, typer.Option()] = "",
) -> None:
    """Create a user in an organization; print its global id."""
    from app.core import ids

    async def work() -> Any:
        return await accounts.create_user(
            organization_id=await _organization_id(organization),
            email=email,
            full_name=full_name,
            role=role,
        )

    user = with_db(work)
    typer.echo(ids.encode("User", user.id))


async def _organization_id(global_id: str) -> int:
    """The primary key of an existing organization, else a NotFound error."""
    from app.accounts.models import Organization
    from app.core.ids import decode_or_not_found

    pk = decode_or_not_found(global_id, "Organization", field="organization")
    if not await Organization.exists(id=pk):
        raise MailroomError(f"No Organization with id {global_id!r}.")
    return pk


@org_app.command("list")
def org_list(
    as_json: Annotated[bool, typer.Option("--json", help="One JSON list.")] = False,
) -> None:
    """List organizations: `ID<TAB>NAME` lines, or JSON with the send limits."""
    from app.accounts.models import Organization
    from app.core import ids

    orgs = with_db(lambda: Organization.all().order_by("id"))
    rows = [
        {
            "id": ids.encode("Organization", o.id),
            "name": o.name,
            "sendLimit": o.send_limit,
        }
        for o in orgs
    ]
    if as_json:
        typer.echo(json.dumps(rows))
        return
    for row in rows:
        typer.echo(f"{row['id']}\t{row['name']}")


@queue_app.command("create")
def queue_create(
    name: str,
    organization: Annotated[str, typer.Option(help="Organization global id.")],
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object.")] = False,
) -> None:
    """Create a queue in an organization; print its global id."""
    from app.core import ids
    from app.inboxes import service as inboxes

    async def work() -> Any:
        org_id = await _organization_id(organization)
        return await inboxes.create_queue(organization_id=org_id, name=name)

    queue_id = ids.encode("Queue", with_db(work).id)
    typer.echo(json.dumps({"queue": queue_id}) if as_json else queue_id)


@inbox_app.command("create")
def inbox_create(
    address: str,
    queue: Annotated[str, typer.Option(help="Queue global id.")],
    name: Annotated[str | None, typer.Option()] = None,
    accept: Annotated[
        list[str] | None,
        typer.Option(help="Accepted MIME type, e.g. application/pdf or image/*."),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object.")] = False,
) -> None:
    """Create an inbox (its import address) feeding a queue; print its global id.

    Validated by the same service as the createInbox mutation. No --accept means
    every type is accepted.
    """
    from app.core import ids
    from app.core.ids import decode_or_not_found
    from app.inboxes import service as inboxes
    from app.inboxes.models import Queue

    async def work() -> Any:
        pk = decode_or_not_found(queue, "Queue", field="queue")
        row = await Queue.get_or_none(id=pk)
        if row is None:
            raise MailroomError(f"No Queue with id {queue!r}.")
        return await inboxes.create_inbox(
            organization_id=row.organization_id,
            queue_id=row.id,
            email=address,
            name=name,
            accepted_mime_types=accept or None,
        )

    inbox = with_db(work)
    inbox_id = ids.encode("Inbox", inbox.id)
    if as_json:
        queue_id = ids.encode("Queue", inbox.queue_id)
        typer.echo(
            json.dumps({"inbox": inbox_id, "address": inbox.email, "queue": queue_id})
        )
    else:
        typer.echo(inbox_id)


@token_app.command("create")
def token_create(
    user: Annotated[str, typer.Option(help="Email of the user.")],
    name: Annotated[str, typer.Option()] = "",
) -> None:
    """Create an API token for a user and print the token alone."""
    typer.echo(with_db(lambda: accounts.token_for_email(email=user, name=name)))


@token_app.command("revoke")
def token_revoke(token: str) -> None:
    """Revoke a token (give the token itself)."""
    with_db(lambda: accounts.revoke_plain_token(token))
    typer.echo("revoked")
