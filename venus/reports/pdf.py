"""A report's HTML as a PDF (WeasyPrint): the same file, paged on A4. Its fonts are the system's
(Debian's fonts-noto-cjk for Chinese, installed by `make install`); nothing is fetched, since the
HTML links no asset."""

from __future__ import annotations

import logging


def render_pdf(html: str) -> bytes:
    from weasyprint import HTML  # imported here: it loads Pango, which only reports need

    # WeasyPrint and its font machinery log every CSS property they skip; the report is ours.
    for name in ("weasyprint", "fontTools"):
        logging.getLogger(name).setLevel(logging.ERROR)
    return HTML(string=html, base_url=None).write_pdf()
