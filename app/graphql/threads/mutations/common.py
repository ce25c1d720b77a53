"""What the thread operations share: their result, and a thread by input id."""

from typing import Annotated

import strawberry

from app.core.errors import NotFound
from app.graphql.common import InputError
from app.graphql.input_ids import decode_or_not_found
from app.graphql.mail.types import EmailThread
from app.mail.models import EmailThread as EmailThreadModel

EmailThreadResult = Annotated[
    EmailThread | InputError, strawberry.union("EmailThreadResult")
]


async def thread_or_not_found(
    organization_id: int, value: strawberry.ID, field: str
) -> EmailThreadModel:
    pk = decode_or_not_found(value, "EmailThread", field=field)
    thread = await EmailThreadModel.get_or_none(id=pk, organization_id=organization_id)
    if thread is None:
        raise NotFound("No such thread.", field=field)
    return thread
