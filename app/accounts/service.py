"""Organizations, users and tokens: the verbs the CLI and admin mutations share."""

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from app.accounts.models import ApiToken, Organization, Role, User
from app.accounts.tokens import hash_token, new_token
from app.accounts.usernames import clean_username, numbered, username_base
from app.core.errors import Conflict, InvalidInput, NotFound
from app.core.limits import limits
from app.core.validation import normalize_address

# lastUsedAt is written at most this often per token, not on every request.
LAST_USED_RESOLUTION = timedelta(minutes=1)


@dataclass(frozen=True)
class Viewer:
    """Who is calling: resolved once per request from the bearer token."""

    user: User
    token_id: int

    @property
    def organization_id(self) -> int:
        return self.user.organization_id

    @property
    def role(self) -> Role:
        return self.user.role


async def create_user(
    *,
    organization_id: int,
    email: str,
    full_name: str = "",
    role: Role,
    username: str | None = None,
) -> User:
    """Create a user; its email is unique across organizations, its username in
    the organization (default: the email's local part, numbered if taken)."""
    address = normalize_address(email, field="email")
    if username is not None:
        username = clean_username(username)
        await _check_username_free(organization_id, username)
    if await User.filter(email=address).exists():
        raise Conflict(f"A user with email {address} exists.", field="email")
    try:
        return await User.create(
            organization_id=organization_id,
            email=address,
            full_name=full_name,
            role=role,
            username=username or await _free_username(organization_id, address),
        )
    except IntegrityError:  # a concurrent create took the email or the username
        if await User.filter(email=address).exists():
            raise Conflict(
                f"A user with email {address} exists.", field="email"
            ) from None
        raise Conflict("That username was just taken.", field="username") from None


async def update_user(
    *,
    organization_id: int,
    user_id: int,
    username: str | None = None,
    full_name: str | None = None,
) -> User:
    """Change a user's username or full name (None leaves a value)."""
    user = await User.get_or_none(id=user_id, organization_id=organization_id)
    if user is None:
        raise NotFound("No such user.", field="id")
    if username is not None:
        username = clean_username(username)
        if username != user.username:
            await _check_username_free(organization_id, username)
        user.username = username
    if full_name is not None:
        user.full_name = full_name
    try:
        await user.save(update_fields=["username", "full_name"])
    except IntegrityError:
        raise Conflict("That username was just taken.", field="username") from None
    return user


async def _check_username_free(organization_id: int, username: str) -> None:
    if await User.filter(organization_id=organization_id, username=username).exists():
        raise Conflict(f"The username {username} is taken.", field="username")


async def _free_username(organization_id: int, email: str) -> str:
    base = username_base(email)
    taken = set(
        await User.filter(
            organization_id=organization_id,
            # numbered() may shorten a long base to fit its suffix
            username__startswith=base[:56],
        ).values_list("username", flat=True)
    )
    number = 1
    while numbered(base, number) in taken:
        number += 1
    return numbered(base, number)


async def create_token(*, user: User, name: str = "") -> tuple[ApiToken, str]:
    """Create a token for a user; the plain token is returned once, never stored."""
    token = new_token()
    row = await ApiToken.create(
        organization_id=user.organization_id,
        user=user,
        name=name,
        token_hash=hash_token(token),
        prefix=token[:10],
    )
    return row, token


async def create_organization(
    *,
    name: str,
    admin_email: str,
    admin_name: str = "",
    send_limit: int | None = None,
    trial: bool = False,
) -> tuple[Organization, User, str]:
    """Create an organization with its first ADMIN user and that user's token; a
    trial gets the trial send limit unless one is given."""
    if send_limit is not None and send_limit < 0:
        raise InvalidInput("sendLimit must be 0 or more.", field="sendLimit")
    if trial and send_limit is None:
        send_limit = limits().trial_send_limit
    async with in_transaction():
        org = await Organization.create(name=name, send_limit=send_limit)
        user = await create_user(
            organization_id=org.id,
            email=admin_email,
            full_name=admin_name,
            role=Role.ADMIN,
        )
        _, token = await create_token(user=user, name="initial")
    return org, user, token


async def token_for_email(*, email: str, name: str = "") -> str:
    user = await User.get_or_none(email=email.strip().lower())
    if user is None:
        raise NotFound(f"No user with email {email}.", field="user")
    _, token = await create_token(user=user, name=name)
    return token


async def revoke_token(
    *, token_id: int, organization_id: int | None = None
) -> ApiToken:
    query = ApiToken.filter(id=token_id)
    if organization_id is not None:
        query = query.filter(organization_id=organization_id)
    row = await query.first()
    if row is None:
        raise NotFound("No such token.", field="id")
    if row.revoked_at is None:
        row.revoked_at = datetime.now(UTC)
        await row.save(update_fields=["revoked_at"])
    return row


async def revoke_plain_token(token: str) -> ApiToken:
    row = await ApiToken.get_or_none(token_hash=hash_token(token))
    if row is None:
        raise NotFound("No such token.", field="token")
    return await revoke_token(token_id=row.id)


async def authenticate(token: str | None) -> Viewer | None:
    """The viewer a bearer token stands for, or None if missing, unknown or revoked."""
    if not token:
        return None
    # The user joined in, not fetched by a second statement: every request has one.
    row = (
        await ApiToken.filter(token_hash=hash_token(token), revoked_at=None)
        .select_related("user")
        .first()
    )
    if row is None or not row.user.is_active:
        return None
    now = datetime.now(UTC)
    if row.last_used_at is None or now - row.last_used_at > LAST_USED_RESOLUTION:
        await ApiToken.filter(id=row.id).update(last_used_at=now)
    return Viewer(user=row.user, token_id=row.id)
