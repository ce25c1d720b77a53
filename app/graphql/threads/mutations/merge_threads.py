"""mergeThreads: what the automatic threading kept apart, by hand (same queue)."""

import strawberry

from app.core.errors import InvalidInput
from app.graphql.context import Info
from app.graphql.extensions import AsInputError
from app.graphql.mail.types import EmailThread
from app.graphql.permissions import IsAnnotator
from app.graphql.threads.mutations.common import EmailThreadResult, thread_or_not_found
from app.mail.models import EmailThread as EmailThreadModel
from app.threads.service import merge_manually


@strawberry.input
class MergeThreadsInput:
    target: strawberry.ID
    sources: list[strawberry.ID]


@strawberry.type
class MergeThreads:
    @strawberry.mutation(
        description="Move every email of the sources into the target.",
        permission_classes=[IsAnnotator],
        extensions=[AsInputError()],
    )
    async def merge_threads(
        self, info: Info, input: MergeThreadsInput
    ) -> EmailThreadResult:
        org = info.context.organization_id
        target = await thread_or_not_found(org, input.target, "target")
        sources = [await thread_or_not_found(org, s, "sources") for s in input.sources]
        if not sources or any(s.id == target.id for s in sources):
            raise InvalidInput(
                "Give source threads other than the target.", field="sources"
            )
        if any(s.queue_id != target.queue_id for s in sources):
            raise InvalidInput(
                "Threads of different queues cannot merge.", field="sources"
            )
        for source in sources:
            await merge_manually(target, source)
        return EmailThread.from_model(await EmailThreadModel.get(id=target.id))
