"""Real documents for the knowledge tests, made byte by byte: a web page and PDFs."""

from __future__ import annotations

from collections.abc import Sequence

ARTICLE_PAGE = b"""<!DOCTYPE html>
<html lang="en">
<head>
  <title>Growing tomatoes - Garden Corp</title>
  <style>body { font-family: sans-serif; }</style>
  <script>window.trackingCode = "SCRIPT-ONLY-TEXT";</script>
</head>
<body>
  <nav><ul><li><a href="/">Home</a></li><li><a href="/shop">Shop our seeds</a></li></ul></nav>
  <article>
    <h1>Growing tomatoes</h1>
    <p>Tomatoes need at least six hours of direct sunlight every day to produce a good crop.</p>
    <h2>Watering</h2>
    <p>Water deeply twice a week rather than a little every day, so that the roots grow down.</p>
    <ul><li>Mulch the soil in early summer</li><li>Stake the plants before they flower</li></ul>
  </article>
  <footer>Copyright 2026 Garden Corp. All rights reserved. Privacy policy.</footer>
</body>
</html>
"""


def pdf_of(pages: Sequence[str]) -> bytes:
    """A minimal valid PDF: one page per item, each line of it drawn in Helvetica, with a correct xref."""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [%s] /Count %d >>"
        % (b" ".join(b"%d 0 R" % (4 + 2 * index) for index in range(len(pages))), len(pages)),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    for index, page in enumerate(pages):
        lines = page.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)").split("\n")
        content = b"BT /F1 12 Tf 14 TL 72 720 Td %s ET" % b" ".join(
            b"(%s) Tj T*" % line.encode("latin-1") for line in lines if line
        )
        objects.append(
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] "
            b"/Resources << /Font << /F1 3 0 R >> >> /Contents %d 0 R >>" % (5 + 2 * index)
        )
        objects.append(b"<< /Length %d >>\nstream\n%s\nendstream" % (len(content), content))
    document = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(document))
        document += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(document)
    document += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    document += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    document += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(document)
