"""Scale-out over Redis: configuration and key names (config), the shared index, the shared
ingest and the shared scheduler of the workers of one crawl.
"""
