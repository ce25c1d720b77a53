from tortoise import migrations
from tortoise.migrations import operations as ops
import functools
from app.webhooks.models import WebhookDeliveryStatus, WebhookEvent
from json import dumps, loads
from tortoise.fields.base import OnDelete
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('models', '0011_user_username')]

    initial = False

    operations = [
        ops.CreateModel(
            name='Webhook',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('organization', fields.ForeignKeyField('models.Organization', source_field='organization_id', db_constraint=True, to_field='id', related_name='webhooks', on_delete=OnDelete.CASCADE)),
                ('url', fields.CharField(max_length=2000)),
                ('events', fields.JSONField(default=list, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('description', fields.CharField(default='', max_length=500)),
                ('enabled', fields.BooleanField(default=True)),
                ('secret', fields.CharField(max_length=100)),
                ('failure_count', fields.IntField(default=0)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'webhook', 'app': 'models', 'indexes': [Index(fields=['organization_id', 'created_at', 'id'])], 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='WebhookDelivery',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('organization', fields.ForeignKeyField('models.Organization', source_field='organization_id', db_constraint=True, to_field='id', related_name='webhook_deliveries', on_delete=OnDelete.CASCADE)),
                ('webhook', fields.ForeignKeyField('models.Webhook', source_field='webhook_id', db_constraint=True, to_field='id', related_name='deliveries', on_delete=OnDelete.CASCADE)),
                ('event', fields.CharEnumField(description='EMAIL_RECEIVED: EMAIL_RECEIVED\nEMAIL_SENT: EMAIL_SENT\nEMAIL_FAILED: EMAIL_FAILED\nEMAIL_BOUNCED: EMAIL_BOUNCED\nTASK_FINISHED: TASK_FINISHED', enum_type=WebhookEvent, max_length=32)),
                ('message_id', fields.CharField(max_length=64)),
                ('payload', fields.JSONField(default=dict, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('status', fields.CharEnumField(default=WebhookDeliveryStatus.PENDING, description='PENDING: PENDING\nSUCCEEDED: SUCCEEDED\nFAILED: FAILED', enum_type=WebhookDeliveryStatus, max_length=16)),
                ('attempts', fields.IntField(default=0)),
                ('response_code', fields.IntField(null=True)),
                ('last_error', fields.TextField(null=True, unique=False)),
                ('next_try_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('delivered_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'webhook_delivery', 'app': 'models', 'indexes': [Index(fields=['webhook_id', 'created_at', 'id']), Index(fields=['status', 'next_try_at'])], 'pk_attr': 'id'},
            bases=['Model'],
        ),
    ]
