"""The shape of an HTTP request, shared by the `tool` node and the LLM's HTTP tool."""

from typing import Annotated, Literal
from urllib.parse import urlsplit

from pydantic import AfterValidator, Field
from pydantic_core import PydanticCustomError

from engine.dsl.slots import has_template_syntax

HttpMethod = Literal["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD"]
"""The HTTP methods a workflow may use."""


def check_url_template(url: str) -> str:
    """Accept a URL template; a literal one must be an absolute http(s) URL.

    A URL with template syntax is only known at run time, where the HTTP client checks it again.

    Args:
        url: The URL, possibly a template.

    Returns:
        The URL, unchanged.

    Raises:
        PydanticCustomError: `invalid_url`.
    """
    if has_template_syntax(url):
        return url
    try:
        parts = urlsplit(url)
        valid = parts.scheme in ("http", "https") and bool(parts.hostname)
    except ValueError:
        valid = False
    if not valid:
        raise PydanticCustomError(
            "invalid_url", "'{url}' is not an absolute http:// or https:// URL", {"url": url}
        )
    return url


UrlTemplate = Annotated[str, Field(min_length=1, max_length=2048), AfterValidator(check_url_template)]
"""An absolute http(s) URL, or a template that renders to one."""
