"""Email.body_text_reply: the new text of a reply, without quoted history and
signature, found at import. Nullable: mail stored before this has none (it is only
in the raw message), and outgoing mail never gets one."""

from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('models', '0016_automation')]

    initial = False

    operations = [
        ops.AddField(
            model_name='Email',
            name='body_text_reply',
            field=fields.TextField(null=True),
        ),
    ]
