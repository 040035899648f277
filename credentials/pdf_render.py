"""Draw the first pages of a PDF as PNGs: run as its own short-lived process by
`credentials.previews` (never imported by the site), so a hostile or broken PDF can cost at
most the time, processor and memory this process is given, can write no file, sees none of
the site's settings (its environment is PATH alone), and a crash in PDFium takes nothing
else with it.

    python -I -B pdf_render.py PAGES MAX_PX PATH

reads the PDF at PATH and writes to stdout the number of pages, a newline, then for each
of the first PAGES pages the length of its PNG, a newline and the PNG itself. Exit status
3 means a password-protected PDF, 4 one PDFium cannot read (both hold for the file, so
the caller may remember them); a process stopped by its limits says nothing about the file.
"""

import io
import resource
import sys

MEMORY_LIMIT = 1024 * 1024 * 1024  # bytes of address space for this process
CPU_SECONDS = 10  # processor time; the caller also stops it after 10 s of wall time
ENCRYPTED, BROKEN = 3, 4


def limit() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))
    # Past the soft limit the kernel sends SIGXCPU; one second later, SIGKILL.
    resource.setrlimit(resource.RLIMIT_CPU, (CPU_SECONDS, CPU_SECONDS + 1))
    # Nothing here writes a file (stdout is a pipe, which this limit does not cover).
    resource.setrlimit(resource.RLIMIT_FSIZE, (0, 0))


def main(argv: list[str]) -> int:
    limit()
    import pypdfium2 as pdfium  # after the limits, so PDFium's memory counts against them

    pages, max_px, path = int(argv[0]), int(argv[1]), argv[2]
    try:
        pdf = pdfium.PdfDocument(path)
    except pdfium.PdfiumError as error:
        password = getattr(error, "err_code", None) == pdfium.raw.FPDF_ERR_PASSWORD
        return ENCRYPTED if password else BROKEN
    count = len(pdf)
    out = sys.stdout.buffer
    drawn = []
    for index in range(min(count, pages)):
        page = pdf[index]
        width, height = page.get_size()  # in points
        # The longest side at most max_px, and never more than twice the page's own size.
        scale = min(max_px / max(width, height, 1), 2.0)
        image = page.render(scale=scale).to_pil()
        png = io.BytesIO()
        image.save(png, "PNG", optimize=False)
        drawn.append(png.getvalue())
    # Written only once every page is drawn, so a failure part-way leaves no half answer.
    out.write(b"%d\n" % count)
    for png in drawn:
        out.write(b"%d\n" % len(png))
        out.write(png)
    out.flush()
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv[1:]))
    except MemoryError:
        sys.exit(BROKEN)
