"""Real documents made by real tools: PDFs by reportlab, DOCX by python-docx, PNGs by Pillow."""

from __future__ import annotations

import io
import struct
import zipfile
import zlib

from docx import Document as WordDocument
from PIL import Image, ImageDraw, ImageFont
from pypdf import PdfReader, PdfWriter
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen import canvas

TOPICS = [
    "Photosynthesis converts light energy into chemical energy stored in glucose.",
    "The chloroplast holds chlorophyll, which absorbs red and blue light.",
    "The Calvin cycle fixes carbon dioxide into sugars using ATP and NADPH.",
    "Cellular respiration releases the energy stored in glucose molecules.",
    "Mitochondria produce ATP through oxidative phosphorylation.",
]


def pdf_bytes(pages: int, lines: list[str] | None = None, outline: bool = True) -> bytes:
    """A PDF of `pages` pages; page n starts with "Page n" and carries the given lines."""
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=A4)
    for number in range(1, pages + 1):
        if outline:
            pdf.bookmarkPage(f"p{number}")
            pdf.addOutlineEntry(f"Chapter {number}", f"p{number}")
        y = 800
        for line in [f"Page {number} of the biology notes.", *(lines or TOPICS)]:
            pdf.drawString(60, y, line)
            y -= 18
        pdf.showPage()
    pdf.save()
    return buffer.getvalue()


def encrypted_pdf_bytes(password: str = "secret") -> bytes:
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(pdf_bytes(2))))
    writer.encrypt(user_password=password, owner_password=password + "-owner")
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def blank_pdf_bytes() -> bytes:
    """A valid PDF whose pages carry no text layer."""
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=A4)
    pdf.rect(100, 100, 200, 200, fill=1)
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()


def docx_bytes() -> bytes:
    document = WordDocument()
    document.core_properties.title = "Cell Biology"
    document.add_paragraph("These notes introduce the cell and its organelles.")
    document.add_heading("The Nucleus", level=1)
    document.add_paragraph("The nucleus stores genetic material as DNA wrapped around histones.")
    document.add_heading("The Mitochondria", level=1)
    document.add_paragraph("Mitochondria produce ATP through oxidative phosphorylation.")
    table = document.add_table(rows=1, cols=2)
    table.rows[0].cells[0].text = "Organelle"
    table.rows[0].cells[1].text = "Function"
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def png_bytes(text: str | None, size: tuple[int, int] = (900, 160)) -> bytes:
    """A white PNG, with `text` drawn in a large font when given."""
    image = Image.new("RGB", size, "white")
    if text:
        font = ImageFont.load_default(size=42)
        ImageDraw.Draw(image).text((24, 50), text, fill="black", font=font)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def jpeg_bytes() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (40, 40), "white").save(buffer, format="JPEG")
    return buffer.getvalue()


BOMB_PARAGRAPH = b"<w:p><w:r><w:t>All work and no play makes a dull document.</w:t></w:r></w:p>"


def docx_bomb_bytes(unpacked_mb: int, paragraph: bytes = BOMB_PARAGRAPH) -> bytes:
    """A real python-docx document whose document.xml inflates to `unpacked_mb` megabytes.

    The XML is streamed through zipfile one megabyte at a time, so neither the test nor
    the archive ever holds it whole: the archive stays near a thousandth of that size.
    """
    source = zipfile.ZipFile(io.BytesIO(docx_bytes()))
    block = paragraph * (1024 * 1024 // len(paragraph))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as bomb:
        for item in source.infolist():
            if item.filename != "word/document.xml":
                bomb.writestr(item, source.read(item))
        entry = zipfile.ZipInfo("word/document.xml")
        entry.compress_type = zipfile.ZIP_DEFLATED
        with bomb.open(entry, "w", force_zip64=True) as xml:
            xml.write(
                b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<w:document xmlns:w='
                b'"http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>'
            )
            for _ in range(unpacked_mb):
                xml.write(block)
            xml.write(b"</w:body></w:document>")
    return buffer.getvalue()


def raw_pdf_bytes(objects: list[bytes]) -> bytes:
    """A PDF written by hand: object n is objects[n - 1], object 1 the catalog."""
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n%s\nendobj\n" % (number, body))
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    out.writelines(b"%010d 00000 n \n" % offset for offset in offsets)
    out.write(b"trailer\n<< /Size %d /Root 1 0 R >>\n" % (len(objects) + 1))
    out.write(b"startxref\n%d\n%%%%EOF\n" % xref)
    return out.getvalue()


def _page_objects(parent: int) -> list[bytes]:
    """Objects 3-5: one page (whose parent is object `parent`), its text and its font."""
    text = b"BT /F1 12 Tf 72 720 Td (Osmosis moves water across a membrane.) Tj ET"
    return [
        b"<< /Type /Page /Parent %d 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>" % parent,
        b"<< /Length %d >>\nstream\n%s\nendstream" % (len(text), text),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]


def cyclic_pdf_bytes() -> bytes:
    """A PDF whose page tree lists itself among its own kids."""
    pages = b"<< /Type /Pages /Kids [3 0 R 2 0 R] /Count 2 >>"
    return raw_pdf_bytes([b"<< /Type /Catalog /Pages 2 0 R >>", pages, *_page_objects(2)])


def many_pages_pdf_bytes(branches: int, leaves: int, count: int | None = None) -> bytes:
    """A page tree of `branches` x `leaves` pages, every one the same page object.

    `count` is what the root claims (the truth when None): a lying count hides the size
    from anyone who does not walk the tree.
    """
    total = branches * leaves if count is None else count
    kids = b" ".join(b"%d 0 R" % (6 + n) for n in range(branches))
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [%s] /Count %d >>" % (kids, total),
        *_page_objects(6),
    ]
    leaf_list = b" ".join([b"3 0 R"] * leaves)
    branch = b"<< /Type /Pages /Parent 2 0 R /Kids [%s] /Count %d >>" % (leaf_list, leaves)
    objects.extend([branch] * branches)
    return raw_pdf_bytes(objects)


def huge_png_bytes(width: int, height: int) -> bytes:
    """A black-and-white PNG of the given size, written row by row (never held decoded)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    row = b"\x00" + b"\xff" * ((width + 7) // 8)  # filter byte, then white pixels
    compressor = zlib.compressobj(9)
    pixels = b"".join(compressor.compress(row) for _ in range(height)) + compressor.flush()
    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )
