"""``local user add``: a confirmed user in the emulator's pool, in an app's group, with a generated password."""

from __future__ import annotations

import contextlib
import secrets
import string

from .discover import clients


class UserError(Exception):
    """The user cannot be created (no pool, unknown group)."""


def generate_password(length: int = 16) -> str:
    """Meets the pool's policy (12+, lower, upper, digit, symbol)."""
    alphabet = string.ascii_letters + string.digits
    symbols = "!#%+-=?@^_"
    chars = [
        secrets.choice(string.ascii_lowercase),
        secrets.choice(string.ascii_uppercase),
        secrets.choice(string.digits),
        secrets.choice(symbols),
    ]
    chars += [secrets.choice(alphabet + symbols) for _ in range(length - len(chars))]
    secrets.SystemRandom().shuffle(chars)
    return "".join(chars)


def find_pool(endpoint: str, region: str | None = None) -> tuple[str, str]:
    """(pool id, region) of the only user pool on the emulator (the platform's)."""
    from .discover import regions

    client = clients(endpoint)
    found = [
        (p["Id"], r)
        for r in ([region] if region else regions(client))
        for p in client("cognito-idp", r).list_user_pools(MaxResults=60).get("UserPools", [])
    ]
    if len(found) != 1:
        raise UserError(f"expected one user pool on the emulator, found {len(found)} (run: python main.py local up)")
    return found[0]


def add_user(
    endpoint: str, pool_id: str | None, email: str, app_group: str | None = None, password: str | None = None
) -> str:
    """Create (or reset) ``email`` in the pool, confirmed, with a permanent password; add it to ``app_group``.

    ``pool_id`` None: the only pool on the emulator. ``app_group`` must exist (the app's stack creates it); None
    adds no group. Returns the password.
    """
    region = pool_id.split("_", 1)[0] if pool_id else None
    if pool_id is None:
        pool_id, region = find_pool(endpoint)
    cognito = clients(endpoint)("cognito-idp", region)
    if app_group is not None:
        # Every page: ListGroups answers at most 60 groups a call (Cognito's limit; moto's too).
        pages = cognito.get_paginator("list_groups").paginate(UserPoolId=pool_id)
        groups = {g["GroupName"] for page in pages for g in page.get("Groups", [])}
        if app_group not in groups:
            raise UserError(
                f"group {app_group!r} does not exist in user pool {pool_id} "
                f"(groups: {', '.join(sorted(groups)) or 'none'}); apply the app first"
            )
    password = password or generate_password()
    with contextlib.suppress(cognito.exceptions.UsernameExistsException):
        cognito.admin_create_user(
            UserPoolId=pool_id,
            Username=email,
            MessageAction="SUPPRESS",
            UserAttributes=[{"Name": "email", "Value": email}, {"Name": "email_verified", "Value": "true"}],
        )
    cognito.admin_set_user_password(UserPoolId=pool_id, Username=email, Password=password, Permanent=True)
    if app_group is not None:
        cognito.admin_add_user_to_group(UserPoolId=pool_id, Username=email, GroupName=app_group)
    return password
