from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.migrations.constraints import UniqueConstraint

class Migration(migrations.Migration):
    dependencies = [('models', '0005_triage')]

    initial = False

    operations = [
        ops.RemoveIndex(
            model_name='Task',
            name=None,
            fields=['organization_id', 'kind', 'idempotency_key'],
        ),
        ops.AddConstraint(
            model_name='Task',
            constraint=UniqueConstraint(fields=('organization_id', 'kind', 'idempotency_key'), name=None),
        ),
    ]
