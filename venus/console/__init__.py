"""The web console's built assets (dist/, made from web/ by `npm run build`; `make install` runs it)."""

from pathlib import Path

DIST = Path(__file__).parent / "dist"
