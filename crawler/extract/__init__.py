"""Article extraction on top of trafilatura: HTML + URL in, :class:`Extraction` out.

Plain Python: imports neither Scrapy nor SQLAlchemy.

>>> from crawler.extract import extract
>>> extract(b"").status
'empty'
"""

from __future__ import annotations

from crawler.extract.engine import extract
from crawler.extract.model import Block, Extraction, RemovedBlock

__all__ = ["Block", "Extraction", "RemovedBlock", "extract"]
