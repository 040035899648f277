"""Render one page of a PDF to PNG, or count its pages: run as its own short-lived process
by `credentials.previews` (never imported by the site), so a hostile or broken PDF can
cost at most the time and memory that process is given, and a crash in PDFium takes
nothing else with it.

    python -I pdf_render.py count            < file.pdf   -> the number of pages
    python -I pdf_render.py page N MAX_PX    < file.pdf   -> page N (1-based) as PNG

Exit status 3 means a password-protected PDF, 4 one PDFium cannot read.
"""

import io
import resource
import sys

MEMORY_LIMIT = 1024 * 1024 * 1024  # bytes of address space for this process
ENCRYPTED, BROKEN = 3, 4


def main(argv: list[str]) -> int:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))
    import pypdfium2 as pdfium  # after the limit, so PDFium's memory counts against it

    data = sys.stdin.buffer.read()
    try:
        pdf = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as error:
        password = getattr(error, "err_code", None) == pdfium.raw.FPDF_ERR_PASSWORD
        return ENCRYPTED if password else BROKEN
    if argv[0] == "count":
        sys.stdout.write(str(len(pdf)))
        return 0
    number, max_px = int(argv[1]), int(argv[2])
    if not 1 <= number <= len(pdf):
        return BROKEN
    page = pdf[number - 1]
    width, height = page.get_size()  # in points
    # The longest side at most max_px, and never more than twice the page's own size.
    scale = min(max_px / max(width, height, 1), 2.0)
    image = page.render(scale=scale).to_pil()
    out = io.BytesIO()
    image.save(out, "PNG", optimize=False)
    sys.stdout.buffer.write(out.getvalue())
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv[1:]))
    except MemoryError:
        sys.exit(BROKEN)
