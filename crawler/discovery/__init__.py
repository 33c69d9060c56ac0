"""Finding article URLs: feeds, sitemaps and listing pages (links), URL normalisation (urls).

Plain Python plus lxml; no Scrapy.
"""
