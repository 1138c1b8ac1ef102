"""People with passwords, signed in over /auth/login the way a browser does."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from uuid import UUID, uuid4

import httpx

from backend.accounts.passwords import hash_password
from backend.accounts.repository import AccountsRepository
from backend.accounts.roles import Role

PASSWORD = "correct horse battery staple"


@dataclass(frozen=True)
class Person:
    """A user with a password."""

    id: UUID
    email: str
    password: str = PASSWORD


async def new_person(workspace_id: UUID | None = None, role: Role = Role.OWNER) -> Person:
    """A new user with a password, a member of `workspace_id` with `role` when given."""
    repository = AccountsRepository()
    email = f"p-{uuid4().hex[:10]}@Example.test"
    user_id = await repository.create_user(email, "Test person", await hash_password(PASSWORD))
    if user_id is None:
        raise LookupError(f"{email} exists already")
    if workspace_id is not None:
        await repository.add_member(workspace_id, user_id, role)
    return Person(id=user_id, email=email)


class Browser:
    """A cookie-keeping client signed in as one person, sending the CSRF header as the web app does."""

    def __init__(self, client: httpx.AsyncClient) -> None:
        self.client = client
        self.csrf: str | None = None

    async def sign_in(self, person: Person) -> httpx.Response:
        """POST /auth/login, then read the CSRF token from /auth/session."""
        response = await self.client.post(
            "/auth/login", json={"email": person.email, "password": person.password}
        )
        if response.status_code == 200:
            self.csrf = response.json()["csrfToken"]
        return response

    async def graphql(
        self,
        query: str,
        variables: dict[str, Any] | None = None,
        *,
        workspace: str | None = None,
        csrf: bool = True,
    ) -> httpx.Response:
        """POST a GraphQL document with the session cookie (and the CSRF header unless `csrf` is False)."""
        headers = {}
        if csrf and self.csrf:
            headers["X-CSRF-Token"] = self.csrf
        if workspace is not None:
            headers["X-Flowloom-Workspace"] = workspace
        return await self.client.post(
            "/graphql", json={"query": query, "variables": variables or {}}, headers=headers
        )
