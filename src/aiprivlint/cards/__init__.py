"""Dataset and model cards: parsing and privacy gap analysis.

Formats: Hugging Face dataset and model cards (YAML front matter + the template's Markdown
sections), Datasheets for Datasets (Gebru et al.), Croissant JSON-LD with its Responsible-AI
fields. The checkers in :mod:`aiprivlint.checkers.cards` turn the analysis into facts; the project
rules AIP106, AIP107 and AIP303 decide from those facts. ``init_card`` writes new cards.

Usable as a library::

    from aiprivlint.cards import analyse_card
    info = analyse_card("README.md", text)   # CardInfo or None
    for gap in info.gaps: print(gap.line, gap.gap, gap.message)
"""

from __future__ import annotations

from pathlib import PurePosixPath

from .analysis import CardInfo, Gap, analyse_markdown_card
from .croissant import analyse_croissant, looks_like_croissant

__all__ = ["CardInfo", "Gap", "analyse_card", "analyse_croissant", "analyse_markdown_card",
           "looks_like_croissant"]


def analyse_card(name: str, text: str, declared: bool = False) -> CardInfo | None:
    """Analyse a card file by its name and text; None when it is not a card."""
    if PurePosixPath(name).suffix.lower() == ".json":
        return analyse_croissant(text) if looks_like_croissant(text[:65536]) else None
    return analyse_markdown_card(name, text, declared)
