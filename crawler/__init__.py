"""newsdedup: crawl syndicated tech news, extract article bodies, flag duplicate paragraphs.

Package layout (dependencies flow one way):
spiders -> pipelines -> ingest -> (extract, dedup) -> storage.
``crawler.extract`` and ``crawler.dedup`` are plain Python: no Scrapy, no SQLAlchemy.
"""

__version__ = "0.1.0"
