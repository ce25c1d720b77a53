"""The per-request context: who is calling and the request's DataLoaders."""

from dataclasses import dataclass, field

import strawberry
from starlette.requests import Request
from starlette.responses import Response

from app.accounts.models import ROLE_RANK, Role
from app.accounts.service import Viewer
from app.core.errors import AccessForbidden
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

    def require(self, role: Role) -> None:
        """Raise ACCESS_FORBIDDEN unless the viewer has at least this role."""
        if ROLE_RANK[self.viewer.role] < ROLE_RANK[role]:
            raise AccessForbidden(f"This action needs the {role.value} role.")


Info = strawberry.Info[Context, None]
