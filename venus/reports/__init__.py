"""Operations reports: the figures of a time range against the range before it (gather.py), as a
self-contained HTML file with inline SVG charts (html.py) and a PDF rendered from it (pdf.py), in
English or Simplified Chinese (texts.py)."""
