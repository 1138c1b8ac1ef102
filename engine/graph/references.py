"""What a template refers to: which context names, which nodes, which run inputs."""

import functools
from dataclasses import dataclass

from jinja2 import meta, nodes

from engine.graph.templates import parse_template, template_environment

CONTEXT_NAMES = frozenset({"input", "inputs", "nodes", "iteration"})
"""The names the engine puts in every template's context."""


@dataclass(frozen=True)
class References:
    """The names a template reads from its context."""

    unknown_names: tuple[str, ...]
    """Free names that are neither context names nor template globals (`range`, `dict`, ...)."""
    nodes: tuple[str, ...]
    """Node ids read as `nodes.X` or `nodes["X"]`."""
    inputs: tuple[str, ...]
    """Run inputs read as `inputs.x` or `inputs["x"]`."""


def _read_from(lookup: nodes.Getattr | nodes.Getitem, name: str) -> bool:
    target = lookup.node
    return isinstance(target, nodes.Name) and target.name == name and target.ctx == "load"


def _keys_read_from(tree: nodes.Template, name: str) -> tuple[str, ...]:
    keys: dict[str, None] = {}
    for lookup in tree.find_all((nodes.Getattr, nodes.Getitem)):
        if isinstance(lookup, nodes.Getattr) and _read_from(lookup, name):
            keys[lookup.attr] = None
        elif (
            isinstance(lookup, nodes.Getitem)
            and _read_from(lookup, name)
            and isinstance(lookup.arg, nodes.Const)
            and isinstance(lookup.arg.value, str)
        ):
            keys[lookup.arg.value] = None
    return tuple(keys)


def _free_names(tree: nodes.Template) -> set[str]:
    # meta.find_undeclared_variables, without Jinja's optimizer: folding constants evaluates them,
    # and `{{ 9 ** 16000000 }}` (or a filter with constant arguments) would run while validating.
    tracker = meta.TrackingCodeGenerator(template_environment())
    tracker.optimizer = None
    tracker.visit(tree)
    return tracker.undeclared_identifiers


def find_references(tree: nodes.Template) -> References:
    """List what a parsed template reads from its context.

    This runs Jinja's code generator over the tree, so it also raises what only compiling finds.

    A name the template binds itself (`{% set %}`, `{% for %}`, macro arguments) is not free, so
    a template that rebinds `nodes` or `inputs` is not searched for references through them.
    Dynamic lookups (`nodes[name]`) cannot be resolved statically and are left out.

    Args:
        tree: A tree from `parse_template`.

    Returns:
        The references, each listed once, in order of appearance where that is known.

    Raises:
        TemplateSyntaxError: The template cannot be compiled (e.g. it uses an unknown filter).
    """
    free = _free_names(tree)
    known = CONTEXT_NAMES | template_environment().globals.keys()
    return References(
        unknown_names=tuple(sorted(free - known)),
        nodes=_keys_read_from(tree, "nodes") if "nodes" in free else (),
        inputs=_keys_read_from(tree, "inputs") if "inputs" in free else (),
    )


_CACHED_SOURCE_LIMIT = 10_000
"""Longer templates are not cached, which bounds the cache's memory."""


@functools.lru_cache(maxsize=1024)
def _cached_references(source: str, is_expression: bool) -> References:
    return find_references(parse_template(source, is_expression=is_expression))


def template_references(source: str, *, is_expression: bool) -> References:
    """Parse a template and list what it reads; cached, since editors validate the same text often.

    Args:
        source: The template text.
        is_expression: Whether it is an expression rather than a template.

    Returns:
        The references.

    Raises:
        TemplateSyntaxError: The template is invalid.
    """
    if len(source) > _CACHED_SOURCE_LIMIT:
        return find_references(parse_template(source, is_expression=is_expression))
    return _cached_references(source, is_expression)
