"""Ingest: the Ingestor (extract, dedup, store one page), site boilerplate learned from the
crawl, and the dedup second-opinion setting.
"""
