from tortoise import migrations
from tortoise.migrations import operations as ops
from app.templates.models import TemplateType
from tortoise.fields.base import OnDelete
from tortoise import fields
from tortoise.indexes import Index


class DropColumn(ops.RemoveField):
    """RemoveField that drops the column in place on SQLite (3.35+).

    Tortoise's SQLite editor rebuilds the table instead, which loses its indexes and,
    with foreign keys on, fires the ON DELETE actions of every table referencing it
    (labels, references and participants deleted; documents, annotations and tasks
    unlinked). Databases that ran this migration before the change are repaired by
    0007 where they can be.
    """

    async def database_forward(self, app_label, old_state, new_state, state_editor=None):
        if state_editor is None or state_editor.client.capabilities.dialect != "sqlite":
            return await super().database_forward(app_label, old_state, new_state, state_editor)
        model = old_state.apps.get_model(f"{app_label}.{self.model_name}")
        column = model._meta.fields_db_projection[self.name]
        await state_editor.client.execute_script(
            f'ALTER TABLE "{model._meta.db_table}" DROP COLUMN "{column}"'
        )


class Migration(migrations.Migration):
    dependencies = [('models', '0004_refused_recipients')]

    initial = False

    operations = [
        ops.CreateModel(
            name='EmailLinkedObject',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('email', fields.ForeignKeyField('models.Email', source_field='email_id', db_constraint=True, to_field='id', related_name='linked_object_rows', on_delete=OnDelete.CASCADE)),
                ('type', fields.CharField(max_length=100)),
                ('object_id', fields.CharField(max_length=200)),
                ('auto_linked', fields.BooleanField(default=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'email_linked_object', 'app': 'models', 'unique_together': (('email_id', 'type', 'object_id'),), 'indexes': [Index(fields=['type', 'object_id'])], 'pk_attr': 'id', 'table_description': 'An external object an email is linked to (a ticket, a deal...).'},
            bases=['Model'],
        ),
        DropColumn(model_name='Email', name='linked_objects'),
        ops.AddField(
            model_name='EmailTemplate',
            name='type',
            field=fields.CharEnumField(default=TemplateType.CUSTOM, description='CUSTOM: CUSTOM\nREJECTION: REJECTION\nAUTOMATIC_REJECTION: AUTOMATIC_REJECTION', enum_type=TemplateType, max_length=32),
        ),
    ]
