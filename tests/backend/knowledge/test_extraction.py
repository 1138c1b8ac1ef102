"""Text extraction from uploaded files: real PDFs, web pages and text files, made here byte by byte."""

from __future__ import annotations

import io
import logging
import random
import socket

import pypdf
import pytest

from backend.knowledge.extraction import (
    MAX_PDF_PAGES,
    Extracted,
    ExtractionError,
    extract,
    media_type_of,
    precheck,
)
from tests.backend.knowledge.files import ARTICLE_PAGE, pdf_of

LIMIT = 100_000


def encrypted(pdf: bytes, *, user_password: str) -> bytes:
    """`pdf` encrypted with AES-128, opened by `user_password`; its owner password is always set."""
    writer = pypdf.PdfWriter(clone_from=pypdf.PdfReader(io.BytesIO(pdf)))
    writer.encrypt(user_password=user_password, owner_password="owner secret", algorithm="AES-128")
    output = io.BytesIO()
    writer.write(output)
    return output.getvalue()


def refusal(name: str, media_type: str, data: bytes, *, max_chars: int = LIMIT) -> ExtractionError:
    """The error extracting `data` raises."""
    with pytest.raises(ExtractionError) as raised:
        extract(name, media_type, data, max_chars=max_chars)
    return raised.value


def test_the_extension_decides_the_media_type_whatever_was_declared() -> None:
    assert media_type_of("Notes.MD", "application/octet-stream") == "text/markdown"


def test_the_declared_media_type_is_used_when_the_name_has_no_extension() -> None:
    assert media_type_of("README", "text/markdown; charset=utf-8") == "text/markdown"


def test_an_unsupported_extension_is_refused_naming_the_supported_ones() -> None:
    with pytest.raises(ExtractionError) as raised:
        media_type_of("slides.pptx", "text/plain")

    assert raised.value.code == "unsupported_media_type"
    assert ".pdf" in str(raised.value)
    assert ".md" in str(raised.value)


def test_an_unsupported_declared_type_is_refused_when_the_name_has_no_extension() -> None:
    with pytest.raises(ExtractionError) as raised:
        media_type_of("scan", "image/png")

    assert raised.value.code == "unsupported_media_type"


def test_extract_refuses_a_media_type_it_cannot_read() -> None:
    assert refusal("letter.doc", "application/msword", b"\xd0\xcf\x11\xe0").code == "unsupported_media_type"


def test_plain_text_is_returned_without_markdown_structure() -> None:
    result = extract("notes.txt", "text/plain", "Grüße aus Köln.\n".encode(), max_chars=LIMIT)

    assert result == Extracted(text="Grüße aus Köln.\n", markdown=False)


def test_a_byte_order_mark_is_not_part_of_the_text() -> None:
    result = extract("notes.txt", "text/plain", b"\xef\xbb\xbfFirst line", max_chars=LIMIT)

    assert result.text == "First line"


def test_markdown_keeps_its_headings() -> None:
    source = "# Handbook\n\nIntro.\n\n## Holidays\n\nTwenty-five days a year.\n"

    result = extract("handbook.md", "text/markdown", source.encode(), max_chars=LIMIT)

    assert result == Extracted(text=source, markdown=True)


def test_windows_line_endings_become_newlines() -> None:
    result = extract("notes.txt", "text/plain", b"one\r\ntwo\rthree", max_chars=LIMIT)

    assert result.text == "one\ntwo\nthree"


def test_nul_characters_are_removed() -> None:
    result = extract("dump.txt", "text/plain", b"ab\x00cd", max_chars=LIMIT)

    assert result.text == "abcd"


def test_text_that_is_not_utf8_is_a_corrupt_document() -> None:
    error = refusal("notes.txt", "text/plain", "café crème".encode("latin-1"))

    assert error.code == "corrupt_document"
    assert "not UTF-8 text" in str(error)


@pytest.mark.parametrize("data", [b"", b" \n\t\r\n "], ids=["empty", "whitespace"])
def test_a_file_without_text_is_an_empty_document(data: bytes) -> None:
    assert refusal("blank.txt", "text/plain", data).code == "empty_document"


def test_text_longer_than_the_limit_is_too_large_and_says_the_limit() -> None:
    error = refusal("big.md", "text/markdown", b"word " * 400, max_chars=1_000)

    assert error.code == "too_large"
    assert "1,000 characters" in str(error)


def test_text_exactly_at_the_limit_is_accepted() -> None:
    assert len(extract("full.txt", "text/plain", b"x" * 1_000, max_chars=1_000).text) == 1_000


def test_pdf_text_is_extracted_with_a_blank_line_between_pages() -> None:
    pdf = pdf_of(["Quarterly report (draft)\nRevenue grew by 12 percent.", "Costs fell by 3 percent."])

    result = extract("report.pdf", "application/pdf", pdf, max_chars=LIMIT)

    assert result == Extracted(
        text="Quarterly report (draft)\nRevenue grew by 12 percent.\n\nCosts fell by 3 percent.",
        markdown=False,
    )


@pytest.mark.parametrize(
    "data",
    [pdf_of(["Quarterly report", "Second page"])[:300], b"%PDF-1.7\n" + random.Random(7).randbytes(4_000)],
    ids=["truncated", "garbage"],
)
def test_a_damaged_pdf_is_a_corrupt_document(data: bytes) -> None:
    error = refusal("report.pdf", "application/pdf", data)

    assert error.code == "corrupt_document"
    assert "damaged" in str(error)


def test_a_password_protected_pdf_is_refused_as_encrypted() -> None:
    pdf = encrypted(pdf_of(["Salaries for 2026"]), user_password="open sesame")

    error = refusal("salaries.pdf", "application/pdf", pdf)

    assert error.code == "corrupt_document"
    assert "encrypted" in str(error)


def test_a_pdf_restricted_only_by_an_owner_password_is_read() -> None:
    pdf = encrypted(pdf_of(["Printing is not allowed"]), user_password="")

    assert extract("locked.pdf", "application/pdf", pdf, max_chars=LIMIT).text == "Printing is not allowed"


def test_a_pdf_with_more_pages_than_allowed_is_too_large() -> None:
    pdf = pdf_of([f"Page {number}" for number in range(MAX_PDF_PAGES + 1)])

    error = refusal("archive.pdf", "application/pdf", pdf)

    assert error.code == "too_large"
    assert f"{MAX_PDF_PAGES:,} pages" in str(error)


def test_a_pdf_with_more_text_than_the_limit_is_too_large() -> None:
    pdf = pdf_of(["A sentence of text on every line.\n" * 30] * 3)

    assert refusal("long.pdf", "application/pdf", pdf, max_chars=1_500).code == "too_large"


def test_a_pdf_of_pages_without_text_is_an_empty_document() -> None:
    pdf = pdf_of(["", ""])

    error = refusal("scan.pdf", "application/pdf", pdf)

    assert error.code == "empty_document"
    assert "scanned" in str(error)


def test_a_web_page_yields_its_main_content_as_markdown() -> None:
    result = extract("tomatoes.html", "text/html", ARTICLE_PAGE, max_chars=LIMIT)

    assert result.markdown
    assert "# Growing tomatoes" in result.text
    assert "## Watering" in result.text
    assert "- Mulch the soil in early summer" in result.text


def test_navigation_and_footer_of_a_web_page_are_left_out() -> None:
    text = extract("tomatoes.html", "text/html", ARTICLE_PAGE, max_chars=LIMIT).text

    assert "Shop our seeds" not in text
    assert "All rights reserved" not in text


def test_scripts_and_styles_of_a_web_page_are_left_out() -> None:
    text = extract("tomatoes.html", "text/html", ARTICLE_PAGE, max_chars=LIMIT).text

    assert "SCRIPT-ONLY-TEXT" not in text
    assert "font-family" not in text


def test_a_page_without_main_content_falls_back_to_its_visible_text() -> None:
    page = (
        b"<html><head><title>Opening hours</title><script>var hidden = 'SCRIPT-ONLY-TEXT';</script></head>"
        b"<body><aside>Monday to Friday, 9 to 5</aside><aside>Closed on Sundays</aside></body></html>"
    )

    result = extract("hours.htm", "text/html", page, max_chars=LIMIT)

    assert result == Extracted(
        text="Opening hours\nMonday to Friday, 9 to 5\nClosed on Sundays", markdown=False
    )


def test_a_page_in_a_legacy_charset_is_read_in_its_declared_charset() -> None:
    page = (
        b'<html><head><meta charset="windows-1252"></head><body><article>'
        b"<p>Caf\xe9 au lait costs \x80 3 and is \x93worth it\x94 for a long morning.</p>"
        b"</article></body></html>"
    )

    text = extract("menu.html", "text/html", page, max_chars=LIMIT).text

    assert "Café au lait costs € 3 and is “worth it”" in text


@pytest.mark.parametrize(
    "page",
    [b"", b"<!-- nothing -->", b"<html><body><script>var a = 1;</script><p> </p></body></html>"],
    ids=["empty", "comment", "script-only"],
)
def test_a_page_without_visible_text_is_an_empty_document(page: bytes) -> None:
    assert refusal("blank.html", "text/html", page).code == "empty_document"


def test_web_page_extraction_logs_nothing(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO)
    no_main_content = b"<html><body><aside>Closed on Sundays</aside></body></html>"

    extract("tomatoes.html", "text/html", ARTICLE_PAGE, max_chars=LIMIT)
    extract("hours.html", "text/html", no_main_content, max_chars=LIMIT)

    assert [record.getMessage() for record in caplog.records] == []


def test_web_page_extraction_does_not_reach_the_network(monkeypatch: pytest.MonkeyPatch) -> None:
    attempts: list[object] = []

    def refuse(*args: object, **kwargs: object) -> None:
        attempts.append(args)
        raise OSError("no network in this test")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    page = (
        b'<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Strict//EN" '
        b'"http://www.w3.org/TR/xhtml1/DTD/xhtml1-strict.dtd">'
        b'<html><head><link rel="stylesheet" href="http://example.com/site.css"></head><body><article>'
        b'<p>A photo of the harbour <img src="http://example.com/harbour.jpg"> at dawn, '
        b'taken from the <a href="http://example.com/pier">old pier</a> on a clear morning.</p>'
        b'<iframe src="http://example.com/map"></iframe></article></body></html>'
    )

    text = extract("harbour.html", "text/html", page, max_chars=LIMIT).text

    assert "taken from the old pier" in text
    assert attempts == []


def test_precheck_accepts_a_readable_pdf() -> None:
    precheck("report.pdf", "application/pdf", pdf_of(["Quarterly report"]))


def test_precheck_refuses_a_password_protected_pdf() -> None:
    pdf = encrypted(pdf_of(["Salaries for 2026"]), user_password="open sesame")

    with pytest.raises(ExtractionError, match="encrypted") as raised:
        precheck("salaries.pdf", "application/pdf", pdf)

    assert raised.value.code == "corrupt_document"


def test_precheck_refuses_a_damaged_pdf() -> None:
    with pytest.raises(ExtractionError, match="damaged") as raised:
        precheck("report.pdf", "application/pdf", b"%PDF-1.7\n" + random.Random(7).randbytes(4_000))

    assert raised.value.code == "corrupt_document"


def test_precheck_refuses_text_that_is_not_utf8() -> None:
    with pytest.raises(ExtractionError, match="not UTF-8 text") as raised:
        precheck("notes.md", "text/markdown", "café crème".encode("latin-1"))

    assert raised.value.code == "corrupt_document"


def test_precheck_refuses_a_text_file_of_only_whitespace() -> None:
    with pytest.raises(ExtractionError) as raised:
        precheck("blank.txt", "text/plain", b"\n\n  \n")

    assert raised.value.code == "empty_document"


def test_precheck_refuses_an_empty_web_page() -> None:
    with pytest.raises(ExtractionError) as raised:
        precheck("blank.html", "text/html", b"  <!-- to do -->  ")

    assert raised.value.code == "empty_document"
