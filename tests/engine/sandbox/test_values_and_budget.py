"""What a template builds and renders is bounded in size and depth, and its rendering in CPU time."""

import time

import pytest
from jinja2 import Template

from engine.graph import template_environment
from engine.limits import RunLimits
from engine.sandbox import TemplateBudget, TemplateLimitError
from tests.engine.sandbox.support import SMALL, evaluate, render


def test_values_sharing_parts_are_measured_as_printed() -> None:
    # 2**20 copies of a 1,000-character text, in a few kilobytes of memory: printing, hashing or
    # comparing it would take a gigabyte.
    source = (
        "{% set ns = namespace(v='x' * 1000) %}"
        "{% for i in range(20) %}{% set ns.v = [ns.v, ns.v] %}{% endfor %}{{ ns.v | length }}"
    )

    with pytest.raises(TemplateLimitError, match="longer than the limit"):
        render(source)


def test_a_value_nested_deeper_than_the_limit_is_refused() -> None:
    limits = RunLimits(max_json_depth=8)
    source = "{% set ns = namespace(v=1) %}{% for i in range(20) %}{% set ns.v = [ns.v] %}{% endfor %}"

    with pytest.raises(TemplateLimitError, match="nested more than 8 levels deep"):
        render(source, limits)


def test_output_over_the_byte_limit_fails_while_rendering() -> None:
    with pytest.raises(TemplateLimitError, match="renders more than 10000 bytes"):
        render("{% for i in range(100000) %}{{ 'x' * 100 }}{% endfor %}")


def test_output_is_measured_in_utf8_bytes() -> None:
    assert render("{{ 'é' * 5000 }}") == "é" * 5000  # 10,000 bytes: at the limit
    with pytest.raises(TemplateLimitError, match="renders more than 10000 bytes"):
        render("{{ 'é' * 5000 }}!")


def test_a_macro_s_output_is_bounded_before_it_is_joined() -> None:
    source = "{% macro m() %}{% for i in range(1000) %}{{ s }}{% endfor %}{% endmacro %}{% set x = m() %}"

    with pytest.raises(TemplateLimitError, match="the rendered block would be"):
        render(source, s="y" * 1000)


def test_nested_loops_without_output_stop_when_the_cpu_time_is_spent() -> None:
    source = "{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}"
    started = time.thread_time()

    with pytest.raises(TemplateLimitError, match=r"used more than 0.2 s of CPU time"):
        render(source)
    assert time.thread_time() - started < 5  # stopped, not run to completion (10**10 iterations)


def test_exponential_macro_recursion_stops_when_the_cpu_time_is_spent() -> None:
    source = "{% macro m(n) %}{% if n %}{{ m(n - 1) }}{{ m(n - 1) }}{% endif %}{% endmacro %}{{ m(40) }}"

    with pytest.raises(TemplateLimitError, match="CPU time"):
        render(source)


def test_a_cancelled_rendering_stops_at_its_next_check() -> None:
    budget = TemplateBudget.in_thread(SMALL)
    template = template_environment().from_string("{% for i in range(100) %}{{ i }}{% endfor %}")
    budget.cancel()

    with pytest.raises(TemplateLimitError, match="cancelled"):
        budget.run(lambda: budget.collect(template.generate()))


def test_compiling_a_template_evaluates_none_of_it() -> None:
    # Jinja folds constant expressions and output when it compiles (optimizer and finalizer), which
    # ran `'a' | center(...)` while a definition was being validated.
    code = template_environment().compile("{{ 'ab' | upper }}{{ 'a' | center(100000000) }}", raw=True)

    assert "'AB'" not in code
    assert len(code) < 10_000


def test_a_compiled_template_can_be_rendered_again_under_a_new_budget() -> None:
    template: Template = template_environment().from_string("{{ n * 2 }}")

    for n in (1, 2):
        assert TemplateBudget.in_thread(SMALL).run(template.render, n=n) == str(n * 2)
    assert evaluate("{'a': (1, 2)}['a']") == (1, 2)
