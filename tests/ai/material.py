"""Study notes for the AI tests: pages of plain sentences, and real PDFs made from them."""

from __future__ import annotations

import io

from reportlab.lib.pagesizes import A4
from reportlab.pdfgen import canvas

CELLS = [
    "The cell is the basic unit of life.",
    "The cell membrane is a thin layer of lipids and proteins that surrounds the cell.",
    "The cell membrane controls which substances enter and leave the cell.",
    "Diffusion is the movement of particles from an area of high concentration to an area "
    "of low concentration.",
    "Osmosis is the diffusion of water across a partially permeable membrane.",
    "The nucleus is the control centre of the cell and contains the genetic material.",
    "Chromosomes are long molecules of DNA that carry genes.",
    "A gene is a section of DNA that codes for a particular protein.",
]
ENERGY = [
    "The mitochondrion is the site of aerobic respiration in the cell.",
    "Aerobic respiration releases energy from glucose using oxygen.",
    "Mitochondria are organelles with a folded inner membrane that increases their surface area.",
    "The process by which plants make glucose from carbon dioxide and water is called "
    "photosynthesis.",
    "Photosynthesis takes place in the chloroplasts of plant cells.",
    "Chlorophyll is a green pigment that absorbs light energy for photosynthesis.",
    "Ribosomes are small structures where proteins are made.",
    "Glycolysis is the first stage of respiration and takes place in the cytoplasm.",
]
ENZYMES = [
    "Enzymes are proteins that speed up chemical reactions without being used up.",
    "Enzymes work best at an optimum temperature and pH.",
    "High temperatures denature enzymes by changing the shape of the active site.",
    "The active site is the region of an enzyme where the substrate binds.",
    "A substrate is the molecule that an enzyme acts upon.",
    "Amylase is an enzyme that breaks down starch into sugars.",
    "Protease is an enzyme that breaks down proteins into amino acids.",
    "Lipase is an enzyme that breaks down fats into fatty acids and glycerol.",
]
GENETICS = [
    "An allele is a different form of the same gene.",
    "A dominant allele is expressed even when only one copy is present.",
    "A recessive allele is expressed only when two copies are present.",
    "The genotype is the combination of alleles an organism has.",
    "The phenotype is the observable characteristic that results from the genotype.",
    "Meiosis is a cell division that produces four genetically different gametes.",
    "Mitosis is a cell division that produces two genetically identical cells.",
    "A mutation is a random change in the sequence of DNA.",
]
ECOLOGY = [
    "An ecosystem is a community of organisms together with their physical environment.",
    "A producer is an organism that makes its own food by photosynthesis.",
    "A consumer is an organism that gets its energy by eating other organisms.",
    "Decomposers are organisms that break down dead material and return nutrients to the soil.",
    "A food chain is a sequence that shows how energy passes from one organism to the next.",
    "Biodiversity is the variety of living organisms in an area.",
    "Competition is the struggle between organisms for the same limited resources.",
    "Predators are animals that hunt and eat other animals.",
]
CHAPTERS = [CELLS, ENERGY, ENZYMES, GENETICS, ECOLOGY]
ALL_SENTENCES = [s for chapter in CHAPTERS for s in chapter]


def notes_pdf(pages: int) -> bytes:
    """A PDF of `pages` pages, each carrying one chapter of the notes in turn."""
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=A4)
    for number in range(1, pages + 1):
        pdf.bookmarkPage(f"p{number}")
        pdf.addOutlineEntry(f"Chapter {number}", f"p{number}")
        text = pdf.beginText(50, 800)
        text.setFont("Helvetica", 10)
        for sentence in CHAPTERS[(number - 1) % len(CHAPTERS)]:
            text.textLine(sentence)
        pdf.drawText(text)
        pdf.showPage()
    pdf.save()
    return buffer.getvalue()
