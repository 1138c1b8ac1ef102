"""How finished jobs and submissions reach a live execution.

A list and an event rather than a memory object stream: the execution drains everything that
arrived in one go (so that several completions become one transition), and putting never yields.
"""

from __future__ import annotations

from typing import Generic, TypeVar

import anyio

ItemT = TypeVar("ItemT")


class Mailbox(Generic[ItemT]):
    """An unbounded inbox with one reader; closed once its execution ends."""

    __slots__ = ("_items", "_wakeup", "closed")

    def __init__(self) -> None:
        """An open, empty mailbox."""
        self._items: list[ItemT] = []
        self._wakeup: anyio.Event | None = None
        self.closed = False

    def put(self, item: ItemT) -> bool:
        """Deliver an item.

        Returns:
            False when the mailbox is closed (the item was not taken).
        """
        if self.closed:
            return False
        self._items.append(item)
        if self._wakeup is not None:
            self._wakeup.set()
        return True

    def take_nowait(self) -> list[ItemT]:
        """Everything delivered so far (maybe nothing)."""
        items = self._items
        if items:
            self._items = []
        return items

    async def take(self) -> list[ItemT]:
        """Everything delivered so far, waiting for at least one item."""
        while not self._items:
            self._wakeup = anyio.Event()
            try:
                await self._wakeup.wait()
            finally:
                self._wakeup = None
        return self.take_nowait()

    def close(self) -> list[ItemT]:
        """Refuse further items.

        Returns:
            The items delivered but not taken.
        """
        self.closed = True
        return self.take_nowait()
