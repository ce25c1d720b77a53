"""AUTOMATIC_STATUS_CHANGED_INFO templates: EmailTemplate.trigger_statuses and
enabled, the new type value, and status_change_notice (one notice per annotation
and status). Existing templates get no triggers (nothing is sent by itself).
Also the Email index statistics(filter) counts from (organization, type, delivery
status, status).
"""

from tortoise import migrations
from tortoise.migrations import operations as ops
import functools
from app.templates.models import TemplateType
from json import dumps, loads
from tortoise.fields.base import OnDelete
from tortoise import fields
from tortoise.indexes import Index


class AlterEnumState(ops.AlterField):
    """A new enum value: the column (varchar 32) is the same, so only the migration
    state changes. Letting AlterField run would rebuild the SQLite table, dropping
    its indexes, for nothing but the column's comment."""

    async def database_forward(self, *args, **kwargs) -> None:
        return None

    async def database_backward(self, *args, **kwargs) -> None:
        return None


class Migration(migrations.Migration):
    dependencies = [('models', '0013_email_fields')]

    initial = False

    operations = [
        ops.CreateModel(
            name='StatusChangeNotice',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('annotation', fields.ForeignKeyField('models.Annotation', source_field='annotation_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.CASCADE)),
                ('status', fields.CharField(max_length=16)),
                ('email', fields.ForeignKeyField('models.Email', source_field='email_id', null=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.SET_NULL)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'status_change_notice', 'app': 'models', 'unique_together': (('annotation_id', 'status'),), 'pk_attr': 'id'},
            bases=['Model'],
        ),
        AlterEnumState(
            model_name='EmailTemplate',
            name='type',
            field=fields.CharEnumField(default=TemplateType.CUSTOM, description='CUSTOM: CUSTOM\nREJECTION: REJECTION\nAUTOMATIC_REJECTION: AUTOMATIC_REJECTION\nAUTOMATIC_STATUS_CHANGED_INFO: AUTOMATIC_STATUS_CHANGED_INFO', enum_type=TemplateType, max_length=32),
        ),
        ops.AddField(
            model_name='EmailTemplate',
            name='enabled',
            field=fields.BooleanField(default=True),
        ),
        ops.AddField(
            model_name='EmailTemplate',
            name='trigger_statuses',
            field=fields.JSONField(default=list, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads),
        ),
        ops.AddIndex(
            model_name='Email',
            index=Index(fields=['organization_id', 'type', 'delivery_status', 'status']),
        ),
    ]
