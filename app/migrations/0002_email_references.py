from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.fields.base import OnDelete
from tortoise import fields
from tortoise.indexes import Index
from tortoise.migrations.constraints import UniqueConstraint

class Migration(migrations.Migration):
    dependencies = [('models', '0001_initial')]

    initial = False

    operations = [
        ops.CreateModel(
            name='EmailReference',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('email', fields.ForeignKeyField('models.Email', source_field='email_id', db_constraint=True, to_field='id', related_name='reference_rows', on_delete=OnDelete.CASCADE)),
                ('queue', fields.ForeignKeyField('models.Queue', source_field='queue_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.CASCADE)),
                ('message_id', fields.CharField(max_length=998)),
                ('in_reply_to', fields.BooleanField(default=False)),
            ],
            options={'table': 'email_reference', 'app': 'models', 'indexes': [Index(fields=['queue_id', 'message_id']), Index(fields=['email_id'])], 'pk_attr': 'id', 'table_description': 'A Message-ID an email refers to (In-Reply-To or References): lets a parent that'},
            bases=['Model'],
        ),
        ops.RemoveIndex(
            model_name='Email',
            name=None,
            fields=['inbox_id', 'message_id'],
        ),
        ops.RemoveIndex(
            model_name='Email',
            name=None,
            fields=['inbox_id', 'raw_sha256'],
        ),
        ops.AddField(
            model_name='Email',
            name='dedupe_key',
            field=fields.CharField(null=True, max_length=998),
        ),
        ops.AddIndex(
            model_name='Email',
            index=Index(fields=['queue_id', 'message_id']),
        ),
        ops.AddConstraint(
            model_name='Email',
            constraint=UniqueConstraint(fields=('inbox_id', 'dedupe_key'), name=None),
        ),
    ]
