"""Methods, globals and filters that allocate from an argument are refused before they run."""

import pytest

from engine.sandbox import TemplateLimitError
from tests.engine.sandbox.support import evaluate, render


@pytest.mark.parametrize(
    "source",
    [
        "{{ 'x'.center(100000000) }}",
        "{{ 'x'.ljust(100000000) }}",
        "{{ 'x'.rjust(100000000, '-') }}",
        "{{ '1'.zfill(100000000) }}",
        "{{ ('\t' * 100).expandtabs(1000000) }}",
        "{{ '{:>100000000}'.format(1) }}",
        "{{ '{:.100000000f}'.format(1.0) }}",
        "{{ '{:{w}}'.format(1, w=100000000) }}",
        "{{ '{a:>100000000}'.format_map({'a': 1}) }}",
        "{{ ('a' * 1000).replace('a', 'b' * 1000) }}",
        "{{ ('a' * 100).replace('', 'b' * 1000) }}",
        "{{ ('a' * 1000).translate({97: 'b' * 1000}) }}",
        "{{ ('x' * 1000).join(['y'] * 1000) }}",
        "{{ (1).to_bytes(100000000, 'big') }}",
        "{{ lipsum(1000000) }}",
    ],
)
def test_a_method_or_global_that_would_allocate_too_much_is_refused(source: str) -> None:
    with pytest.raises(TemplateLimitError, match="would be"):
        render(source)


@pytest.mark.parametrize(
    "source",
    [
        "{{ 'x' | center(100000000) }}",
        "{{ ('x\n' * 1000) | indent(100000) }}",
        "{{ ('x\n' * 1000) | indent('-' * 100000) }}",
        "{{ ('a ' * 1000) | wordwrap(1, wrapstring='-' * 1000) }}",
        "{{ [1] | batch(100000000, 0) | list }}",
        "{{ [1] | slice(100000000) | list }}",
        "{{ '%0100000000d' | format(1) }}",
        "{{ (['y'] * 1000) | join('x' * 1000) }}",
        "{{ range(1000) | map('string') | join('x' * 1000) }}",
        "{{ ('a' * 1000) | replace('a', 'b' * 1000) }}",
        "{{ ([[0] * 1000] * 1000) | sum(start=[]) }}",
        "{{ ([[[1] * 50] * 50] * 3) | tojson(indent=1000) }}",
        "{{ ('a.b ' * 1000) | urlize(target='t' * 1000) }}",
    ],
)
def test_a_filter_that_would_allocate_too_much_is_refused(source: str) -> None:
    with pytest.raises(TemplateLimitError, match="would be"):
        render(source)


def test_the_result_of_any_call_is_measured() -> None:
    with pytest.raises(TemplateLimitError, match="longer than the limit"):
        render("{{ dict.fromkeys(range(1000), 'x' * 100) }}", dict=dict)


def test_ordinary_methods_and_filters_work_as_before() -> None:
    source = (
        "{{ 'ab'.center(6, '*') }} {{ '{:>4}|{}'.format(1, 'x') }} {{ 'a-b'.replace('-', '+') }}"
        " {{ [1, 2, 3] | join(',') }} {{ 'hi' | center(6) }} {{ 'a\nb' | indent(2) }}"
        " {{ [1, 2, 3] | batch(2, 0) | list }} {{ [[1], [2]] | sum(start=[]) }} {{ {'a': 1} | tojson }}"
    )

    assert render(source) == '**ab**    1|x a+b 1,2,3   hi   a\n  b [[1, 2], [3, 0]] [1, 2] {"a": 1}'
    assert evaluate("'a b c'.split()") == ["a", "b", "c"]
