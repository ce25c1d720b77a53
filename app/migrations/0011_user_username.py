"""User.username: added empty, filled from each user's email (the local part, made
unique in the organization with -2, -3, ...), then made unique per organization.

The naming rule is copied from app/accounts/usernames.py on purpose: a migration
must keep doing what it did when it was written, whatever the app code becomes."""

import re

from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields
from tortoise.migrations.constraints import UniqueConstraint

_INVALID_RUN = re.compile(r"[^a-z0-9._-]+", re.ASCII)


def _base(email: str) -> str:
    local = email.rpartition("@")[0].lower()
    name = _INVALID_RUN.sub("-", local).strip("._-")[:64].rstrip("._-")
    return name or "user"


def _numbered(base: str, number: int) -> str:
    if number == 1:
        return base
    suffix = f"-{number}"
    return base[: 64 - len(suffix)].rstrip("._-") + suffix


async def fill_usernames(apps, schema_editor) -> None:
    client = schema_editor.client
    postgres = client.capabilities.dialect == "postgres"
    update = (
        'UPDATE "user" SET "username" = $1 WHERE "id" = $2'
        if postgres
        else 'UPDATE "user" SET "username" = ? WHERE "id" = ?'
    )
    users = await client.execute_query_dict(
        'SELECT "id", "organization_id", "email" FROM "user" ORDER BY "id"'
    )
    taken: dict[int, set[str]] = {}
    for user in users:
        names = taken.setdefault(user["organization_id"], set())
        base, number = _base(user["email"]), 1
        while _numbered(base, number) in names:
            number += 1
        name = _numbered(base, number)
        names.add(name)
        await client.execute_query(update, [name, user["id"]])


class Migration(migrations.Migration):
    dependencies = [('models', '0009_task_interruptions')]

    initial = False

    operations = [
        ops.AddField(
            model_name='User',
            name='username',
            field=fields.CharField(db_default='', max_length=64),
        ),
        ops.RunPython(fill_usernames, ops.RunPython.noop),
        ops.AddConstraint(
            model_name='User',
            constraint=UniqueConstraint(fields=('organization_id', 'username'), name=None),
        ),
    ]
