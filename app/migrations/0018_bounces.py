"""Email.bounce: what the delivery status notification that marked an outgoing
email BOUNCED said ({status, diagnostic, recipient, at}). Null for every other
email. DeliveryStatus.BOUNCED itself needs no change: the column is a
VARCHAR(16) without a check constraint."""

from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('models', '0017_body_text_reply')]

    initial = False

    operations = [
        ops.AddField(
            model_name='Email',
            name='bounce',
            field=fields.JSONField(null=True),
        ),
    ]
