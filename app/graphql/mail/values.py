"""An email's small value types, built from the JSON columns and rows that hold
them: they have no identity, so no Node id and no loader of their own."""

from datetime import datetime
from typing import Any, Self

import strawberry

from app.graphql.common import FromModel
from app.graphql.context import Info
from app.graphql.documents.types import Document
from app.graphql.enums import PartOutcomeEnum


@strawberry.type
class EmailAddress:
    email: str
    name: str | None

    @classmethod
    def many(cls, items: list[dict[str, Any]]) -> list[Self]:
        return [
            cls(email=i.get("email", ""), name=i.get("name") or None) for i in items
        ]


@strawberry.type(description="One header of the message, decoded.")
class EmailHeader:
    name: str
    value: str

    @classmethod
    def many(cls, items: list[dict[str, str]]) -> list[Self]:
        return [cls(name=i["name"], value=i["value"]) for i in items]


@strawberry.type
class AnnotationCounts(FromModel):
    annotations: int
    annotations_processed: int
    annotations_purged: int
    annotations_unprocessed: int
    annotations_rejected: int
    related_annotations: int


@strawberry.type
class LinkedObject(FromModel):
    type: str
    id: str
    auto_linked: bool

    @classmethod
    def from_model(cls, row: Any) -> Self:  # the row's column is object_id
        return cls(type=row.type, id=row.object_id, auto_linked=row.auto_linked)


@strawberry.type
class DeliveryTry:
    at: datetime
    status: str = strawberry.field(description="SMTP reply code, or an error class.")
    detail: str

    @classmethod
    def from_json(cls, item: dict[str, Any]) -> Self:
        return cls(
            at=datetime.fromisoformat(item["at"]),
            status=item["status"],
            detail=item.get("detail", ""),
        )


@strawberry.type(
    description="A delivery status notification's failure of an outgoing email."
)
class Bounce:
    status: str = strawberry.field(description="The DSN's Status, e.g. 5.1.1.")
    diagnostic: str = strawberry.field(
        description="Its Diagnostic-Code, e.g. `550 5.1.1 user unknown`."
    )
    recipient: str = strawberry.field(description="Its Final-Recipient.")
    at: datetime = strawberry.field(description="When the DSN was imported.")

    @classmethod
    def from_json(cls, item: dict[str, Any]) -> Self:
        return cls(
            status=item.get("status", ""),
            diagnostic=item.get("diagnostic", ""),
            recipient=item.get("recipient", ""),
            at=datetime.fromisoformat(item["at"]),
        )


@strawberry.type(description="A recipient the receiving server refused.")
class RefusedRecipient:
    email: str
    code: int
    message: str

    @classmethod
    def from_json(cls, item: dict[str, Any]) -> Self:
        return cls(email=item["email"], code=item["code"], message=item["message"])


@strawberry.type(description="One MIME part and what the import made of it.")
class EmailPart:
    part_id: str
    content_type: str
    disposition: str | None
    content_id: str | None
    filename: str | None
    charset: str | None
    size: int
    outcome: PartOutcomeEnum | None = strawberry.field(  # type: ignore[valid-type]
        description="What the import made of the part; null for multipart containers."
    )
    document_id: strawberry.Private[int | None]

    @classmethod
    def from_json(cls, item: dict[str, Any]) -> Self:
        return cls(
            part_id=item.get("partId", ""),
            content_type=item.get("contentType", ""),
            disposition=item.get("disposition"),
            content_id=item.get("contentId"),
            filename=item.get("filename"),
            charset=item.get("charset"),
            size=item.get("size", 0),
            outcome=item.get("outcome"),
            document_id=item.get("documentId"),
        )

    @strawberry.field
    async def document(self, info: Info) -> Document | None:
        loader = info.context.loaders.documents_by_id
        return await Document.load(loader, self.document_id)
