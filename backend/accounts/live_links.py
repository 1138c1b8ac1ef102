"""One-time links as their pages see them: where they point, and whether they still grant anything.

A link is live while it is unused and unexpired (`links.py`) and what it points at still exists: an
invitation's workspace; a reset's workspace, with its person still a member there (the manager who
issued it had authority over that member only through it).
"""

from __future__ import annotations

from backend.accounts.links import LinkGrant, LinkKind, LinkRepository
from backend.accounts.members_repository import MembersRepository
from backend.accounts.records import WorkspaceRecord
from backend.accounts.roles import Role
from backend.problems import Refused

INVALID_LINK = Refused("INVALID_LINK", "This link was used already, was withdrawn, has expired or is wrong.")
LINK_PAGES = {LinkKind.INVITE: "invite", LinkKind.RESET: "reset-password"}
"""The web app's page that opens each kind of link."""


def link_base(public_url: str | None, request_base: str) -> str:
    """Where links point: the configured public URL, else the URL this request came to."""
    return (public_url or request_base).rstrip("/")


def link_url(base_url: str, kind: LinkKind, secret: str) -> str:
    """The URL of a link's page, carrying its secret (URL-safe already)."""
    return f"{base_url}/{LINK_PAGES[kind]}?token={secret}"


def link_kind(name: str) -> LinkKind | None:
    """The kind of link a page or API path names (`invite`, `reset` or `reset-password`), if any."""
    return next((kind for kind, page in LINK_PAGES.items() if name in {kind.value, page}), None)


class LiveLinks:
    """Reads links without using them, and finds what they point at."""

    def __init__(self, links: LinkRepository, members: MembersRepository) -> None:
        self._links = links
        self._members = members

    async def peek(self, kind: LinkKind, secret: str) -> LinkGrant | None:
        """The grant of a live link of `kind`, or None."""
        # links.py hashes the secret as UTF-8: a lone surrogate must be refused before it gets there
        if not secret.isascii():
            return None
        grant = await self._links.peek(kind, secret)
        return grant if grant is not None and await self.workspace(grant) is not None else None

    async def workspace(self, grant: LinkGrant) -> WorkspaceRecord | None:
        """The link's workspace while it exists (and, for a reset, while its person is a member)."""
        if grant.workspace_id is None:
            return None
        if grant.kind is LinkKind.RESET:
            if grant.user_id is None:
                return None
            member = await self._members.member(grant.workspace_id, grant.user_id)
            return None if member is None else await self._members.workspace(grant.workspace_id, member.role)
        return await self._members.workspace(grant.workspace_id, grant.role or Role.VIEWER)
