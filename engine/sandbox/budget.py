"""What one rendering may spend: CPU time, and the size and depth of every value it builds.

A `TemplateBudget` is active while a template is evaluated (`TemplateBudget.run`); the sandbox's
hooks find it with `current_budget()` and charge it for the work they are about to do, before they
do it. Work is counted in units, roughly one Python-level step each (copying 64 characters is one
unit), and the clock is read every few units, so the check stays cheap.

Sizes approximate the length of a value's text: a string counts its characters, a container its
items plus a little for the punctuation, recursively. Values that share parts are counted as often
as they are reached, which is what printing, hashing or comparing them costs: `[a, a]` counts `a`
twice. Measured sizes of containers are remembered for the rendering (the sandbox cannot mutate a
list or dict), so nesting `[b, b]` inside `[c, c]`... is measured once per level, not once per leaf.
"""

from __future__ import annotations

import itertools
import math
import time
from collections.abc import Callable, Iterable
from contextvars import ContextVar
from typing import ParamSpec, TypeVar

from jinja2 import Undefined
from jinja2.exceptions import SecurityError
from jinja2.utils import Namespace

from engine.limits import RunLimits

P = ParamSpec("P")
T = TypeVar("T")

MAX_INT_BITS = 16_384
"""Largest integer an operator may produce (about 4,900 decimal digits)."""
CHARACTERS_PER_UNIT = 64
"""Copying this many characters (or items, at C speed) counts as one unit of work."""
_CHECK_EVERY_INLINE = 16
_CHECK_EVERY_THREAD = 64
_REMEMBERED_ITEMS = 4_000_000
"""The remembered sizes are forgotten when the containers they keep alive hold more items than this."""
_REMEMBERED_CONTAINERS = 65_536


class TemplateLimitError(SecurityError):
    """The sandbox refused an operation: its result would exceed a limit, or time ran out.

    Raised before the work is done; the message is for the workflow's author.
    """


class InlineSliceSpent(BaseException):  # control flow, not an error
    """The rendering outgrew the slice it may use on the event loop; render it again in a thread.

    A BaseException, so that no handler turning template failures into node failures catches it.
    """


_CURRENT: ContextVar[TemplateBudget | None] = ContextVar("template_budget", default=None)


def current_budget() -> TemplateBudget:
    """The budget of the rendering in progress.

    Raises:
        TemplateLimitError: No rendering is in progress: templates are only evaluated under a
            budget (see `engine.execution.rendering`).
    """
    budget = _CURRENT.get()
    if budget is None:
        raise TemplateLimitError("templates are evaluated only under a budget")
    return budget


class TemplateBudget:
    """The CPU time and value sizes one rendering may use; see the module docstring."""

    __slots__ = (
        "_cancelled",
        "_check_every",
        "_clock",
        "_deadline",
        "_max_single",
        "_next_check",
        "_remembered",
        "_remembered_items",
        "_seconds",
        "_units",
        "cpu_seconds",
        "inline",
        "max_depth",
        "max_value",
    )

    def __init__(
        self, limits: RunLimits, *, seconds: float, clock: Callable[[], float], inline: bool, max_single: int
    ) -> None:
        """A budget of `seconds` on `clock`; see `in_thread` and `inline_slice`."""
        self.max_value = limits.max_template_output_bytes
        """Largest value (and rendered text) the template may build, in characters or bytes."""
        self.max_depth = limits.max_json_depth
        """Deepest nesting of a value the template builds."""
        self.cpu_seconds = limits.template_cpu_seconds
        self.inline = inline
        """Whether this is the slice on the event loop: running out means `InlineSliceSpent`."""
        self._seconds = seconds
        self._clock = clock
        self._deadline = math.inf
        self._max_single = max_single
        self._check_every = _CHECK_EVERY_INLINE if inline else _CHECK_EVERY_THREAD
        self._units = 0
        self._next_check = 0
        self._cancelled = False
        self._remembered: dict[int, tuple[object, int, int]] = {}
        self._remembered_items = 0

    @classmethod
    def in_thread(cls, limits: RunLimits) -> TemplateBudget:
        """The full budget: `limits.template_cpu_seconds` of the rendering thread's CPU time."""
        return cls(
            limits,
            seconds=limits.template_cpu_seconds,
            clock=time.thread_time,
            inline=False,
            max_single=2**62,
        )

    @classmethod
    def inline_slice(cls, limits: RunLimits, seconds: float, max_single: int) -> TemplateBudget:
        """A slice for rendering on the event loop.

        Args:
            limits: The run's limits (sizes apply as in a thread).
            seconds: CPU time the rendering may take on the loop's thread (CPU rather than wall
                time, so that a busy machine does not push cheap templates off the loop).
            max_single: Units one operation may cost; a costlier one is left to a thread.
        """
        seconds = min(seconds, limits.template_cpu_seconds)
        return cls(limits, seconds=seconds, clock=time.thread_time, inline=True, max_single=max_single)

    def run(self, function: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
        """Call `function` with this budget active, its clock starting now."""
        self._deadline = self._clock() + self._seconds
        token = _CURRENT.set(self)
        try:
            return function(*args, **kwargs)
        finally:
            _CURRENT.reset(token)

    def cancel(self) -> None:
        """Make the rendering stop at its next check (its result is no longer wanted)."""
        self._cancelled = True
        self._next_check = 0

    def charge(self, units: int = 1) -> None:
        """Count work about to be done, and stop the rendering when its time is up.

        Raises:
            InlineSliceSpent: In the event loop's slice, time ran out or one operation is too costly.
            TemplateLimitError: In a thread, the CPU time is spent (or the rendering was cancelled).
        """
        if units > self._max_single:
            raise InlineSliceSpent
        self._units += units
        if self._units < self._next_check:
            return
        self._next_check = self._units + self._check_every
        if self._cancelled:
            raise TemplateLimitError("the rendering was cancelled")
        if self._clock() > self._deadline:
            if self.inline:
                raise InlineSliceSpent
            raise TemplateLimitError(f"the template used more than {self.cpu_seconds:g} s of CPU time")

    def charge_text(self, characters: int) -> None:
        """Charge for copying or scanning `characters` characters (or items) at C speed."""
        self.charge(1 + characters // CHARACTERS_PER_UNIT)

    def too_large(self, what: str, size: int) -> TemplateLimitError:
        """The error for a value of `size` over the limit; `what` describes how it would be made."""
        return TemplateLimitError(f"{what} would be {size} characters long; the limit is {self.max_value}")

    def _overflow(self) -> TemplateLimitError:
        return TemplateLimitError(f"the value would be longer than the limit of {self.max_value} characters")

    def admit(self, value: T) -> T:
        """Check a value the template has just built, and return it.

        Raises:
            TemplateLimitError: The value is larger than `max_value` or nested deeper than `max_depth`.
        """
        if isinstance(value, str):
            if len(value) > self.max_value:
                raise self.too_large("the text", len(value))
        elif not (isinstance(value, int | float) or value is None):
            self.measure(value)
        return value

    def measure(self, value: object) -> tuple[int, int]:
        """The size and height (levels of nesting) of a value, charging for the walk.

        Raises:
            TemplateLimitError: The value is larger than `max_value` or nested deeper than `max_depth`.
        """
        size, height, _ = self._measure(value, 0, self.max_value)
        return size, height

    def size(self, value: object) -> int:
        """`measure(value)`'s size."""
        return self.measure(value)[0]

    def remember(self, container: object, size: int, height: int) -> None:
        """Record the size of a container an operator built from measured parts (saves a walk)."""
        if len(self._remembered) >= _REMEMBERED_CONTAINERS or self._remembered_items >= _REMEMBERED_ITEMS:
            # Forgetting is always safe (sizes are measured again); it bounds what stays alive.
            self._remembered.clear()
            self._remembered_items = 0
        self._remembered[id(container)] = (container, size, height)
        self._remembered_items += len(container) + 1 if hasattr(container, "__len__") else 1

    def _measure(self, value: object, depth: int, room: int) -> tuple[int, int, bool]:
        # Returns (size, height, volatile); volatile sizes (namespaces can change) are not remembered.
        if isinstance(value, str | bytes | bytearray):
            size = len(value)
        elif isinstance(value, int):
            size = value.bit_length() // 3 + 5  # at least its decimal digits (and "False")
        elif isinstance(value, float):
            size = 24
        elif value is None:
            size = 4
        elif isinstance(value, list | tuple | dict | set | frozenset):
            return self._measure_container(value, depth, room)
        elif isinstance(value, Namespace):
            attributes: dict[str, object] = object.__getattribute__(value, "_Namespace__attrs")
            size, height, _ = self._measure_items(attributes, depth, room, len(attributes))
            return size, height, True
        elif isinstance(value, Undefined):
            size = 0
        else:
            size = 16  # other objects print as a short repr, e.g. <Macro 'm'>
        if size > room:
            raise self._overflow()
        return size, 0, False

    def _measure_container(
        self,
        value: list[object] | tuple[object, ...] | dict[object, object] | set[object] | frozenset[object],
        depth: int,
        room: int,
    ) -> tuple[int, int, bool]:
        known = self._remembered.get(id(value))
        if known is not None:
            _, size, height = known
            if size > room:
                raise self._overflow()
            if depth + height > self.max_depth:
                raise TemplateLimitError(f"the value is nested more than {self.max_depth} levels deep")
            return size, height, False
        size, height, volatile = self._measure_items(value, depth, room, len(value))
        if not volatile:
            self.remember(value, size, height)
        return size, height, volatile

    def _measure_items(
        self, value: Iterable[object] | dict[object, object], depth: int, room: int, count: int
    ) -> tuple[int, int, bool]:
        if depth >= self.max_depth:
            raise TemplateLimitError(f"the value is nested more than {self.max_depth} levels deep")
        self.charge(1 + count)
        total = 2
        height = 1
        volatile = False
        children: Iterable[object] = value
        if isinstance(value, dict):
            children = itertools.chain.from_iterable(value.items())
        for child in children:
            kind = type(child)  # most items are measured here rather than by a call
            if kind is str:
                total += len(child) + 2  # type: ignore[arg-type]
            elif kind is int:
                total += child.bit_length() // 3 + 7  # type: ignore[attr-defined]
            elif kind is float or kind is bool or child is None:
                total += 26
            else:
                size, child_height, child_volatile = self._measure(child, depth + 1, room - total)
                total += size + 2
                height = max(height, child_height + 1)
                volatile = volatile or child_volatile
            if total > room:
                raise self._overflow()
        return total, height, volatile

    def collect(self, chunks: Iterable[str]) -> str:
        """Join a template's output as it is generated, refusing it once it exceeds the limit.

        Args:
            chunks: The output (`Template.generate`), pulled chunk by chunk.

        Returns:
            The text.

        Raises:
            TemplateLimitError: The text is longer than `max_value` UTF-8 bytes.
        """
        limit = self.max_value
        used = 0
        parts = []
        for chunk in chunks:
            # Lone surrogates (from inputs) count as the 3 bytes they would take, not as an error.
            used += len(chunk) if chunk.isascii() else len(chunk.encode("utf-8", "surrogatepass"))
            if used > limit:
                raise TemplateLimitError(f"the template renders more than {limit} bytes")
            parts.append(chunk)  # not charged: the output hook charged for it
        return "".join(parts)
