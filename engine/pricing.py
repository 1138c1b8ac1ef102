"""What model calls cost: a price per million input and output tokens, per model.

Prices are looked up by the model string a node names (`openai:gpt-4o`): first the whole string,
then the model's name without its provider (`gpt-4o`), then the longest pattern ending in `*` that
the name starts with (`claude-sonnet-4*` prices `claude-sonnet-4-20250514`). Local models (`test`,
`ollama:…`, the offline embedder) cost nothing; a model the table does not know costs nothing too,
but its usage is marked unpriced so that nobody mistakes it for free.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from engine.embeddings import HASHING_MODEL
from engine.records import Usage

PER_TOKENS = 1_000_000
"""Prices are per this many tokens."""


@dataclass(frozen=True, slots=True)
class ModelPrice:
    """USD per million tokens."""

    input: float
    """Per million input (prompt) tokens."""
    output: float = 0.0
    """Per million output (completion) tokens; embeddings have none."""

    def cost(self, input_tokens: int, output_tokens: int) -> float:
        """The USD cost of a call that used these tokens."""
        return (input_tokens * self.input + output_tokens * self.output) / PER_TOKENS


FREE = ModelPrice(0.0, 0.0)

FREE_PROVIDERS = frozenset({"ollama", "test"})
"""Providers whose models run locally: every model of theirs costs nothing."""

DEFAULT_PRICES: Mapping[str, ModelPrice] = {
    # OpenAI (list prices, standard tier)
    "gpt-5*": ModelPrice(1.25, 10.0),
    "gpt-5-mini*": ModelPrice(0.25, 2.0),
    "gpt-5-nano*": ModelPrice(0.05, 0.40),
    "gpt-4.1*": ModelPrice(2.0, 8.0),
    "gpt-4.1-mini*": ModelPrice(0.40, 1.60),
    "gpt-4.1-nano*": ModelPrice(0.10, 0.40),
    "gpt-4o*": ModelPrice(2.50, 10.0),
    "gpt-4o-mini*": ModelPrice(0.15, 0.60),
    "gpt-4-turbo*": ModelPrice(10.0, 30.0),
    "gpt-4": ModelPrice(30.0, 60.0),
    "gpt-4-0613": ModelPrice(30.0, 60.0),
    "gpt-3.5-turbo*": ModelPrice(0.50, 1.50),
    "o1*": ModelPrice(15.0, 60.0),
    "o1-mini*": ModelPrice(1.10, 4.40),
    "o1-pro*": ModelPrice(150.0, 600.0),
    "o3*": ModelPrice(2.0, 8.0),
    "o3-mini*": ModelPrice(1.10, 4.40),
    "o3-pro*": ModelPrice(20.0, 80.0),
    "o4-mini*": ModelPrice(1.10, 4.40),
    "text-embedding-3-small": ModelPrice(0.02),
    "text-embedding-3-large": ModelPrice(0.13),
    "text-embedding-ada-002": ModelPrice(0.10),
    # Anthropic
    "claude-opus-4-5*": ModelPrice(5.0, 25.0),
    "claude-opus-4*": ModelPrice(15.0, 75.0),
    "claude-sonnet-4*": ModelPrice(3.0, 15.0),
    "claude-haiku-4*": ModelPrice(1.0, 5.0),
    "claude-3-7-sonnet*": ModelPrice(3.0, 15.0),
    "claude-3-5-sonnet*": ModelPrice(3.0, 15.0),
    "claude-3-5-haiku*": ModelPrice(0.80, 4.0),
    "claude-3-opus*": ModelPrice(15.0, 75.0),
    "claude-3-haiku*": ModelPrice(0.25, 1.25),
    # Local
    "test": FREE,
    HASHING_MODEL: FREE,
}
"""Shipped prices (USD per million tokens); settings override or extend them."""


@dataclass(frozen=True, slots=True)
class Priced:
    """A model's price as the table found it; `known` is False for a model it does not know."""

    price: ModelPrice
    known: bool


class PriceTable:
    """Prices by model; see the module docstring for how a model string is looked up."""

    __slots__ = ("_exact", "_found", "_patterns")

    def __init__(self, prices: Mapping[str, ModelPrice]) -> None:
        """Exact model strings or names, and name patterns ending in `*`."""
        self._exact = {name: price for name, price in prices.items() if not name.endswith("*")}
        patterns = [(name[:-1], price) for name, price in prices.items() if name.endswith("*")]
        self._patterns = sorted(patterns, key=lambda pattern: len(pattern[0]), reverse=True)
        self._found: dict[str, Priced] = {}

    @classmethod
    def with_overrides(cls, overrides: Mapping[str, ModelPrice]) -> PriceTable:
        """The shipped prices, with `overrides` replacing or adding entries."""
        return cls({**DEFAULT_PRICES, **overrides})

    def entries(self) -> dict[str, ModelPrice]:
        """Every entry of the table, patterns with their `*`."""
        return {**self._exact, **{prefix + "*": price for prefix, price in self._patterns}}

    def lookup(self, model: str) -> Priced:
        """The price of `model` (a model string such as `openai:gpt-4o`, or a bare name)."""
        found = self._found.get(model)
        if found is None:
            found = self._found[model] = self._search(model)
        return found

    def _search(self, model: str) -> Priced:
        exact = self._exact.get(model)
        if exact is not None:
            return Priced(exact, True)
        provider, _, name = model.partition(":")
        if not name:
            provider, name = "", model
        if provider in FREE_PROVIDERS or name in FREE_PROVIDERS:
            return Priced(FREE, True)
        exact = self._exact.get(name)
        if exact is not None:
            return Priced(exact, True)
        for prefix, price in self._patterns:
            if name.startswith(prefix):
                return Priced(price, True)
        return Priced(FREE, False)

    def priced(self, model: str, usage: Usage) -> Usage:
        """`usage` of one model with its cost filled in (unpriced when the model is unknown)."""
        found = self.lookup(model)
        cost = found.price.cost(usage.input_tokens, usage.output_tokens)
        return Usage(usage.input_tokens, usage.output_tokens, usage.requests, cost, not found.known)

    def estimate(self, model: str, input_tokens: int, output_tokens: int) -> float:
        """The USD cost of a call expected to use these tokens (0 for an unknown model)."""
        return self.lookup(model).price.cost(input_tokens, output_tokens)


DEFAULT_PRICE_TABLE = PriceTable(DEFAULT_PRICES)
"""The shipped prices, without overrides."""


def parse_prices(raw: object) -> dict[str, ModelPrice]:
    """Price overrides from their JSON form (the `FLOWLOOM_MODEL_PRICES` setting).

    Args:
        raw: `{"model": {"input": 2.5, "output": 10}, "other": [0.1, 0.4], ...}` (USD per million).

    Returns:
        The prices by model string or pattern.

    Raises:
        ValueError: Not an object of models to prices, or a price is negative (a setting's value:
            the caller reports it as such, whatever the JSON's shape).
    """
    if not isinstance(raw, dict):
        raise ValueError("model prices must be a JSON object of model → {input, output}")  # noqa: TRY004 - a bad setting, not a bad call
    prices: dict[str, ModelPrice] = {}
    for model, value in raw.items():
        if isinstance(value, dict):
            unknown = set(value) - {"input", "output"}
            if unknown:
                raise ValueError(f"price of {model!r}: unknown keys {sorted(unknown)}")
            pair = (value.get("input", 0), value.get("output", 0))
        elif isinstance(value, list) and len(value) in {1, 2}:
            pair = (value[0], value[1] if len(value) == 2 else 0)
        else:
            raise ValueError(f"price of {model!r} must be {{input, output}} or [input, output]")
        if not all(isinstance(part, int | float) and not isinstance(part, bool) for part in pair):
            raise ValueError(f"price of {model!r} must be numbers")
        if pair[0] < 0 or pair[1] < 0:
            raise ValueError(f"price of {model!r} must not be negative")
        prices[str(model)] = ModelPrice(float(pair[0]), float(pair[1]))
    return prices
