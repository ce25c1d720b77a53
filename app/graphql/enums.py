"""The domain's enums, exposed to GraphQL under the same names and values."""

import strawberry

from app.accounts.models import Role
from app.core.errors import ErrorCode
from app.documents.models import AnnotationStatus
from app.intake.parts import PartOutcome
from app.mail.models import (
    DeliveryStatus,
    EmailStatus,
    EmailType,
    Label,
    ThreadMatchMethod,
)
from app.tasks.models import TaskKind, TaskStatus
from app.templates.models import TemplateType
from app.webhooks.models import WebhookDeliveryStatus, WebhookEvent

RoleEnum = strawberry.enum(Role, name="Role")
AnnotationStatusEnum = strawberry.enum(AnnotationStatus, name="AnnotationStatus")
ErrorCodeEnum = strawberry.enum(ErrorCode, name="ErrorCode")
DeliveryStatusEnum = strawberry.enum(DeliveryStatus, name="DeliveryStatus")
EmailStatusEnum = strawberry.enum(EmailStatus, name="EmailStatus")
EmailTypeEnum = strawberry.enum(EmailType, name="EmailType")
LabelEnum = strawberry.enum(Label, name="EmailLabel")
ThreadMatchMethodEnum = strawberry.enum(ThreadMatchMethod, name="ThreadMatchMethod")
PartOutcomeEnum = strawberry.enum(PartOutcome, name="PartOutcome")
TaskKindEnum = strawberry.enum(TaskKind, name="TaskKind")
TaskStatusEnum = strawberry.enum(TaskStatus, name="TaskStatus")
TemplateTypeEnum = strawberry.enum(TemplateType, name="EmailTemplateType")
WebhookEventEnum = strawberry.enum(WebhookEvent, name="WebhookEvent")
WebhookDeliveryStatusEnum = strawberry.enum(
    WebhookDeliveryStatus, name="WebhookDeliveryStatus"
)
