"""Real documents made by real tools: PDFs by reportlab, DOCX by python-docx, PNGs by Pillow."""

from __future__ import annotations

import io

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
