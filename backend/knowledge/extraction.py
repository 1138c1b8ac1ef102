"""Text extraction from uploaded documents: plain text, Markdown, PDF and HTML.

Pure, synchronous functions: parsing a PDF or a web page is CPU-bound, so callers run `extract` in a
worker thread. Every failure a user can cause is an `ExtractionError` whose message says what to do.
"""

from __future__ import annotations

import io
import re
import struct
import zlib
from collections.abc import Iterator
from configparser import ConfigParser
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache
from pathlib import PurePosixPath
from typing import Literal

import lxml.html  # type: ignore[import-untyped]  # lxml ships no type information (no stubs installed)
import pypdf
import trafilatura
from lxml.etree import ParserError  # type: ignore[import-untyped]  # same package, same reason
from pypdf.errors import DependencyError, PyPdfError
from trafilatura.settings import use_config

MEDIA_TYPES: dict[str, str] = {
    ".txt": "text/plain",
    ".md": "text/markdown",
    ".markdown": "text/markdown",
    ".pdf": "application/pdf",
    ".html": "text/html",
    ".htm": "text/html",
}
"""Supported file extensions (lower case, with the dot) and the media type each is read as."""

MAX_PDF_PAGES = 2_000
"""PDFs with more pages are refused before any text is extracted (text costs about 30 ms a page)."""

ExtractionErrorCode = Literal["unsupported_media_type", "corrupt_document", "empty_document", "too_large"]
"""Why a document yielded no text."""

# What pypdf 7.1 raised on 6,000 randomly damaged PDFs besides its own errors (NotImplementedError for
# a misspelt filter, TypeError, AttributeError, AssertionError), plus what fuzzers reported from damaged
# files (KeyError py-pdf/pypdf#583, zlib.error #586, RecursionError #2761, IndexError in its CMap code).
# Anything else is a bug to see, not a damaged upload, so it propagates.
_PDF_FAILURES: tuple[type[Exception], ...] = (
    PyPdfError,
    ValueError,
    KeyError,
    IndexError,
    TypeError,
    AttributeError,
    NotImplementedError,
    AssertionError,
    RecursionError,
    ArithmeticError,
    struct.error,
    zlib.error,
)

# PostgreSQL text cannot hold NUL, and UTF-8 cannot encode a lone surrogate.
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")

_TEXT_TYPES = ("text/plain", "text/markdown")

# Elements whose text a reader never sees, and elements that end a line, for the plain-text fallback.
_INVISIBLE = ("script", "style", "noscript", "template")
_LINE_BREAKING = (
    *("address", "article", "aside", "blockquote", "br", "dd", "details", "div", "dl", "dt"),
    *("fieldset", "figcaption", "figure", "footer", "form", "h1", "h2", "h3", "h4", "h5", "h6"),
    *("header", "hr", "li", "main", "nav", "ol", "p", "pre", "section", "summary", "table"),
    *("td", "th", "title", "tr", "ul"),
)


class ExtractionError(Exception):
    """A document yielded no usable text; `str(error)` tells the user what to do about it."""

    code: ExtractionErrorCode
    """Machine-readable reason, for clients to branch on."""

    def __init__(self, code: ExtractionErrorCode, message: str) -> None:
        super().__init__(message)
        self.code = code


@dataclass(frozen=True, slots=True)
class Extracted:
    """The text of a document, ready to be split into chunks."""

    text: str
    """The document's text; Markdown for Markdown files and web pages, plain for text and PDF files."""
    markdown: bool
    """Whether `text` has Markdown structure (headings, lists, tables) a splitter can follow."""


def media_type_of(name: str, declared: str | None) -> str:
    """The media type a document is read as.

    Args:
        name: The file name as uploaded; its extension decides when it has one.
        declared: The media type the client sent (parameters such as `charset` are ignored); used
            only when `name` has no extension.

    Returns:
        One of the values of `MEDIA_TYPES`.

    Raises:
        ExtractionError: `unsupported_media_type`, naming the supported extensions.
    """
    extension = PurePosixPath(name).suffix.lower()
    if extension:
        media_type = MEDIA_TYPES.get(extension, "")
    else:
        media_type = (declared or "").partition(";")[0].strip().lower()
    if media_type not in MEDIA_TYPES.values():
        raise _unsupported(name)
    return media_type


def extract(name: str, media_type: str, data: bytes, *, max_chars: int) -> Extracted:
    """The text of a document.

    Args:
        name: The file name, used in error messages.
        media_type: The type to read `data` as, from `media_type_of`.
        data: The file's content.
        max_chars: The most characters of text a document may have.

    Returns:
        The document's text, free of characters PostgreSQL cannot store.

    Raises:
        ExtractionError: The type is unsupported, the file is damaged, encrypted or not UTF-8 text,
            has no text, or has more than `max_chars` characters or `MAX_PDF_PAGES` pages.
    """
    if media_type in _TEXT_TYPES:
        # UTF-8 spends at most 4 bytes a character (plus a 3-byte BOM): no need to decode to refuse.
        if len(data) > 4 * max_chars + 3:
            raise _too_large(name, max_chars)
        text = _decoded(name, data)
        return _finished(name, text, markdown=media_type == "text/markdown", max_chars=max_chars)
    if media_type == "application/pdf":
        return _finished(name, _pdf_text(name, data, max_chars), markdown=False, max_chars=max_chars)
    if media_type == "text/html":
        text, markdown = _html_text(_parsed_html(name, data))
        return _finished(name, text, markdown=markdown, max_chars=max_chars)
    raise _unsupported(name)


def precheck(name: str, media_type: str, data: bytes) -> None:
    """Refuse at upload what `extract` would surely refuse, for a fraction of its cost.

    Decodes text, opens a PDF (encryption, page count) and parses a web page, but extracts no text:
    a PDF or web page that passes can still turn out to be empty or too large when it is ingested.

    Args:
        name: The file name, used in error messages.
        media_type: The type to read `data` as, from `media_type_of`.
        data: The file's content.

    Raises:
        ExtractionError: The type is unsupported, the file is damaged, encrypted or not UTF-8 text,
            a text file has no text, or a PDF has more than `MAX_PDF_PAGES` pages.
    """
    if media_type in _TEXT_TYPES:
        if not _decoded(name, data).strip():
            raise _empty(name)
    elif media_type == "application/pdf":
        with _reading_pdf(name):
            _opened_pdf(name, data)
    elif media_type == "text/html":
        _parsed_html(name, data)
    else:
        raise _unsupported(name)


def _storable(text: str) -> str:
    # One line-ending convention, so that chunk offsets and splitting do not depend on the uploader's OS.
    return _UNSTORABLE.sub("", text).replace("\r\n", "\n").replace("\r", "\n")


def _too_large(name: str, max_chars: int) -> ExtractionError:
    return ExtractionError(
        "too_large", f"{name} has more than {max_chars:,} characters of text; split it into smaller files"
    )


def _finished(name: str, text: str, *, markdown: bool, max_chars: int) -> Extracted:
    text = _storable(text)
    if not text.strip():
        raise _empty(name)
    if len(text) > max_chars:
        raise _too_large(name, max_chars)
    return Extracted(text=text, markdown=markdown)


def _empty(name: str) -> ExtractionError:
    return ExtractionError("empty_document", f"{name} has no text")


def _unsupported(name: str) -> ExtractionError:
    supported = ", ".join(MEDIA_TYPES)
    return ExtractionError(
        "unsupported_media_type", f"{name} is not a supported kind of document; upload {supported} files"
    )


def _decoded(name: str, data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise ExtractionError(
            "corrupt_document", f"{name} is not UTF-8 text; save it as UTF-8 and upload it again"
        ) from error


def _encrypted(name: str) -> ExtractionError:
    return ExtractionError(
        "corrupt_document", f"{name} is encrypted; remove its password and upload it again"
    )


@contextmanager
def _reading_pdf(name: str) -> Iterator[None]:
    """Turn what pypdf raises on a damaged or encrypted file into an `ExtractionError`."""
    try:
        yield
    except DependencyError as error:  # an encryption algorithm pypdf needs an extra package for
        raise _encrypted(name) from error
    except _PDF_FAILURES as error:
        raise ExtractionError(
            "corrupt_document", f"{name} is damaged or not a PDF; export it again and upload the new file"
        ) from error


def _opened_pdf(name: str, data: bytes) -> pypdf.PdfReader:
    reader = pypdf.PdfReader(io.BytesIO(data))
    # An empty user password only restricts printing or copying; any viewer opens such a file.
    if reader.is_encrypted and reader.decrypt("") == pypdf.PasswordType.NOT_DECRYPTED:
        raise _encrypted(name)
    if len(reader.pages) > MAX_PDF_PAGES:
        raise ExtractionError(
            "too_large", f"{name} has more than {MAX_PDF_PAGES:,} pages; split it into smaller files"
        )
    return reader


def _pdf_text(name: str, data: bytes, max_chars: int) -> str:
    pages: list[str] = []
    length = -2  # of the pages' text joined by blank lines, as returned
    with _reading_pdf(name):
        for page in _opened_pdf(name, data).pages:
            text = _storable(page.extract_text()).strip()
            if not text:
                continue
            length += 2 + len(text)
            # Stop early: a huge PDF would otherwise cost its full extraction time before being refused.
            if length > max_chars:
                raise _too_large(name, max_chars)
            pages.append(text)
    if not pages:
        raise ExtractionError(
            "empty_document", f"{name} has no text to extract; scanned pages are images, not text"
        )
    return "\n\n".join(pages)


def _parsed_html(name: str, data: bytes) -> lxml.html.HtmlElement:
    try:
        # UTF-8 when the bytes are UTF-8; otherwise libxml2 follows the page's <meta charset>.
        data.decode("utf-8")
        parser = lxml.html.HTMLParser(encoding="utf-8", remove_comments=True, remove_pis=True)
    except UnicodeDecodeError:
        parser = lxml.html.HTMLParser(remove_comments=True, remove_pis=True)
    try:
        return lxml.html.document_fromstring(data, parser=parser)
    except ParserError as error:  # "Document is empty": nothing but whitespace or comments
        raise _empty(name) from error


def _html_text(root: lxml.html.HtmlElement) -> tuple[str, bool]:
    """The main content of a web page as Markdown, else all of its visible text as plain text."""
    # Handing trafilatura a parsed tree (it works on a copy) and a minimum output size of 0 keeps it
    # quiet: given bytes, or finding no main content, it logs errors and warnings for every such page.
    markdown = trafilatura.extract(
        root,
        output_format="markdown",
        include_tables=True,
        include_links=False,
        include_comments=False,
        favor_recall=True,
        with_metadata=False,
        config=_quiet_trafilatura_config(),
    )
    if markdown and markdown.strip():
        return markdown, True
    return _visible_text(root), False


@cache  # use_config() reads trafilatura's settings file; the result is only ever read
def _quiet_trafilatura_config() -> ConfigParser:
    config = use_config()
    config.set("DEFAULT", "MIN_OUTPUT_SIZE", "0")
    config.set("DEFAULT", "MIN_OUTPUT_COMM_SIZE", "0")
    return config


def _visible_text(root: lxml.html.HtmlElement) -> str:
    """Every line of text a reader would see, whitespace collapsed; `root` is consumed."""
    for element in list(root.iter(*_INVISIBLE)):
        element.drop_tree()
    for element in root.iter(*_LINE_BREAKING):
        element.text = "\n" + (element.text or "")
        element.tail = "\n" + (element.tail or "")
    lines = (" ".join(line.split()) for line in root.text_content().splitlines())
    return "\n".join(line for line in lines if line)
