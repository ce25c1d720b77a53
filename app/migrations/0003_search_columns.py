from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('models', '0002_email_references')]

    initial = False

    operations = [
        ops.AddField(
            model_name='Email',
            name='search_text',
            field=fields.TextField(default='', unique=False),
        ),
        ops.AddField(
            model_name='Email',
            name='subject_folded',
            field=fields.CharField(default='', max_length=998),
        ),
    ]
