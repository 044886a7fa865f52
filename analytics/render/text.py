"""Line breaking for print (the PDF brief, the PNG map): text is broken where it no longer fits
a width in points, measured on the outlines of the font the page is drawn in (as the PDF draws
them), never counted in characters."""

from __future__ import annotations

import re

# A break may come after a run of Latin letters, digits and signs (with its spaces), or after
# any other single character (Chinese breaks between characters); closing punctuation stays
# with the character before it, so no line starts with "，" or "）".
_TOKEN = re.compile(
    r"[^\s\u2e80-\u9fff\u3000-\u303f\uff00-\uffef]+\s*|\s+|.[，。、；：！？）》」』]*"
)


def wrap(text: str, width: float, size: float) -> list[str]:
    """Text as lines no wider than a width at a font size (matplotlib's current sans-serif font).

    Parameters
    ----------
    text : str
        The text.
    width : float
        Points.
    size : float
        The font size.

    Returns
    -------
    list of str
        The lines; a single word wider than the line stands alone on its line.
    """
    from matplotlib.font_manager import FontProperties
    from matplotlib.textpath import text_to_path

    font = FontProperties(size=size)

    def fits(line: str) -> bool:
        return text_to_path.get_text_width_height_descent(line, font, ismath=False)[0] <= width

    lines: list[str] = []
    for para in str(text).splitlines() or [""]:
        line = ""
        for token in _TOKEN.findall(para):
            if line and not fits(line + token.rstrip()):
                lines.append(line.rstrip())
                line = token.lstrip()
            else:
                line += token
        lines.append(line.rstrip())
    return lines
