"""Operators that would build huge values are refused before they compute them."""

import pytest

from engine.sandbox import MAX_INT_BITS, TemplateLimitError
from tests.engine.sandbox.support import SMALL, evaluate, render


def test_a_huge_power_is_refused_naming_its_operands() -> None:
    with pytest.raises(TemplateLimitError, match=r"the power 9 \*\* 16000000 is too large"):
        render("{{ 9 ** 16000000 }}")


def test_a_huge_power_of_a_run_input_is_refused_before_anything_else_runs() -> None:
    with pytest.raises(TemplateLimitError, match=r"the power 9 \*\* 8000000 is too large"):
        render("{{ (9 ** n) % 7 }}", n=8_000_000)


def test_powers_within_the_integer_limit_are_computed() -> None:
    assert evaluate("2 ** 100") == 2**100
    assert evaluate("2 ** -2") == 0.25
    assert evaluate("1 ** 100000000") == 1


def test_a_product_of_integers_beyond_the_limit_is_refused() -> None:
    big = 2 ** (MAX_INT_BITS - 10)

    with pytest.raises(TemplateLimitError, match=r"the product .* is too large"):
        evaluate("n * n", n=big)


def test_repeating_a_text_beyond_the_limit_is_refused() -> None:
    with pytest.raises(TemplateLimitError, match=r"'a' \* 100000000 would be 100000000 characters long"):
        render("{{ 'a' * 100000000 }}")


def test_repeating_a_list_counts_the_size_of_what_it_repeats() -> None:
    with pytest.raises(TemplateLimitError, match="would be"):
        evaluate("[text] * 1000", text="x" * 100)


def test_doubling_a_text_in_a_namespace_is_refused_at_the_limit() -> None:
    source = (
        "{% set ns = namespace(s='ab') %}{% for i in range(64) %}{% set ns.s = ns.s + ns.s %}{% endfor %}"
    )

    with pytest.raises(TemplateLimitError, match="would be"):
        render(source)


def test_doubling_a_text_with_the_tilde_operator_is_refused_at_the_limit() -> None:
    source = (
        "{% set ns = namespace(s='ab') %}{% for i in range(64) %}{% set ns.s = ns.s ~ ns.s %}{% endfor %}"
    )

    with pytest.raises(TemplateLimitError, match="the concatenation would be"):
        render(source)


def test_percent_formatting_with_a_huge_width_is_refused() -> None:
    with pytest.raises(TemplateLimitError, match="formatting '%0100000000d' would be"):
        render("{{ '%0100000000d' % 1 }}")


def test_percent_formatting_reads_a_star_width_from_its_arguments() -> None:
    with pytest.raises(TemplateLimitError, match="formatting"):
        render("{{ '%*d' % (100000000, 1) }}")


def test_percent_formatting_reads_keys_with_parentheses_as_python_does() -> None:
    with pytest.raises(TemplateLimitError, match="formatting"):
        render("{{ '%(a(b))100000000s' % {'a(b)': 'x'} }}")


def test_a_precision_written_with_too_many_digits_is_refused_outright() -> None:
    with pytest.raises(TemplateLimitError, match="too large"):
        render("{{ '%.99999999999999999999f' % 1.0 }}")


def test_ordinary_arithmetic_and_formatting_work_as_before() -> None:
    rendered = render(
        "{{ 7 // 2 }} {{ 7 % 3 }} {{ 1 / 4 }} {{ 2 - 5 }} {{ '%05.1f|%s' % (3.14159, 'x') }} {{ 'ab' * 2 }}"
    )

    assert rendered == "3 1 0.25 -3 003.1|x abab"
    assert evaluate("[1, 2] + [3]") == [1, 2, 3]
    assert evaluate("(1,) * 3") == (1, 1, 1)
    assert SMALL.max_template_output_bytes == 10_000
