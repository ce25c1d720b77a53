"""Role gates for mutations: `@strawberry.mutation(permission_classes=[IsAdmin])`.

A refusal is the ACCESS_FORBIDDEN error the domain raises everywhere else (a
top-level GraphQL error with no data, never InputError), checked before the
resolver runs, so a forbidden mutation changes nothing.
"""

from typing import Any, ClassVar

from strawberry.permission import BasePermission

from app.accounts.models import Role
from app.core.errors import AccessForbidden
from app.graphql.context import Info


class HasRole(BasePermission):
    """At least `role` in the VIEWER < ANNOTATOR < MANAGER < ADMIN ranking."""

    role: ClassVar[Role]

    def has_permission(self, source: Any, info: Info, **kwargs: Any) -> bool:
        return info.context.has_role(self.role)

    def on_unauthorized(self) -> None:
        raise AccessForbidden(f"This action needs the {self.role.value} role.")


class IsViewer(HasRole):
    role = Role.VIEWER


class IsAnnotator(HasRole):
    role = Role.ANNOTATOR


class IsManager(HasRole):
    role = Role.MANAGER


class IsAdmin(HasRole):
    role = Role.ADMIN
