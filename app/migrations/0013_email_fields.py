"""Email.date, receivedAt, headers, an outgoing email's inbox, and the indexes of the
DATE ordering and the new filters.

Existing rows: the new columns are nullable. Incoming mail gets receivedAt = its
created_at (the import stored it then); outgoing mail its sending inbox (the inbox
with its From address) and a date (sent, else scheduled, else stored time: what its
Date header was or will be). Dates and headers of mail imported before this stay null:
they are only in the raw messages.
"""

from tortoise import migrations
from tortoise.migrations import operations as ops
import functools
from json import dumps, loads
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('models', '0012_webhooks')]

    initial = False

    operations = [
        ops.AddField(
            model_name='Email',
            name='date',
            field=fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
        ),
        ops.AddField(
            model_name='Email',
            name='message_headers',
            field=fields.JSONField(null=True, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads),
        ),
        ops.AddField(
            model_name='Email',
            name='received_at',
            field=fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
        ),
        ops.AddIndex(
            model_name='Email',
            index=Index(fields=['organization_id', 'date', 'id']),
        ),
        ops.AddIndex(
            model_name='Email',
            index=Index(fields=['organization_id', 'message_id']),
        ),
        ops.AddIndex(
            model_name='Email',
            index=Index(fields=['organization_id', 'external_id']),
        ),
        ops.AddIndex(
            model_name='Email',
            index=Index(fields=['creator_id', 'created_at', 'id']),
        ),
        ops.RunSQL(
            [
                "UPDATE email SET received_at = created_at"
                " WHERE type = 'INCOMING' AND received_at IS NULL",
                "UPDATE email SET date = COALESCE(sent_at, send_at, created_at)"
                " WHERE type = 'OUTGOING' AND date IS NULL",
                "UPDATE email SET inbox_id = (SELECT inbox.id FROM inbox"
                " WHERE inbox.organization_id = email.organization_id"
                " AND inbox.email = email.from_address)"
                " WHERE type = 'OUTGOING' AND inbox_id IS NULL",
            ],
            reverse_sql=[],
        ),
    ]
