"""The per-request context: who is calling and the request's DataLoaders."""

from dataclasses import dataclass, field

import strawberry
from arq.connections import ArqRedis
from starlette.requests import Request
from starlette.responses import Response

from app.accounts.models import ROLE_RANK, Role
from app.accounts.service import Viewer
from app.graphql.loaders import Loaders


@dataclass
class Context:
    request: Request
    response: Response | None
    viewer: Viewer
    loaders: Loaders = field(init=False)

    def __post_init__(self) -> None:
        self.loaders = Loaders(self.viewer.organization_id)

    @property
    def organization_id(self) -> int:
        return self.viewer.organization_id

    @property
    def redis(self) -> ArqRedis:
        """The application's pool, where mutations queue their jobs."""
        return self.request.app.state.redis

    def has_role(self, role: Role) -> bool:
        """Whether the viewer has at least this role (see permissions.py)."""
        return ROLE_RANK[self.viewer.role] >= ROLE_RANK[role]


Info = strawberry.Info[Context, None]
