"""Real PDF reports for the demo course and the tests, written with pypdf alone."""

import io

from pypdf import PdfWriter
from pypdf.generic import DictionaryObject, NameObject, StreamObject

A4 = (595, 842)


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")


def report_pdf(title: str, lines: list[str] = (), pages: int = 1) -> bytes:
    """A PDF of ``pages`` A4 pages: the title, then the lines (Latin-1 text, Helvetica)."""
    writer = PdfWriter()
    font = DictionaryObject(
        {
            NameObject("/Type"): NameObject("/Font"),
            NameObject("/Subtype"): NameObject("/Type1"),
            NameObject("/BaseFont"): NameObject("/Helvetica"),
            NameObject("/Encoding"): NameObject("/WinAnsiEncoding"),
        }
    )
    font_ref = writer._add_object(font)
    for number in range(1, pages + 1):
        page = writer.add_blank_page(*A4)
        fonts = DictionaryObject({NameObject("/F1"): font_ref})
        page[NameObject("/Resources")] = DictionaryObject({NameObject("/Font"): fonts})
        text = [f"BT /F1 18 Tf 60 780 Td ({_escape(title)} - {number}) Tj ET"]
        for row, line in enumerate(lines):
            text.append(f"BT /F1 11 Tf 60 {750 - 16 * row} Td ({_escape(line)}) Tj ET")
        content = StreamObject()
        content.set_data("\n".join(text).encode("latin-1", "replace"))
        page[NameObject("/Contents")] = writer._add_object(content)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()
