"""The static site of a published release (``cli.py site --release vYYMMDD OUT/``).

``build_site`` gathers the content from the database (``SiteContent``), ``render_site`` turns it
into pages in Chinese and English plus the download files (the report's, the anonymised battles and
LiveSecBench's result files), ``write_site`` writes them all at once. Raters appear under the
export pseudonyms of ``pipeline.interchange.pseudonyms``.
Pages are self-contained HTML with inline CSS and hand-drawn inline SVG charts; a
Content-Security-Policy in every page forbids any request. Untrusted text reaches a page only
through ``esc`` (``pipeline/publish/site/_html.py``). See docs/site.md.
"""

from pipeline.publish.site._charts import contrast_ratio, heat_colour, nice_ticks
from pipeline.publish.site._content import SiteContent, build_site
from pipeline.publish.site._frame import PAGES
from pipeline.publish.site._html import PALETTE, Html, esc, tag
from pipeline.publish.site._models import (
    ModelCard,
    ModelMetadata,
    SiteError,
    model_cards,
    read_model_metadata,
)
from pipeline.publish.site._pages import render_site
from pipeline.publish.site._write import check_target, write_site

__all__ = [
    "PAGES",
    "PALETTE",
    "Html",
    "ModelCard",
    "ModelMetadata",
    "SiteContent",
    "SiteError",
    "build_site",
    "check_target",
    "contrast_ratio",
    "esc",
    "heat_colour",
    "model_cards",
    "nice_ticks",
    "read_model_metadata",
    "render_site",
    "tag",
    "write_site",
]
