"""Fetching: retries with backoff (retry), conditional re-fetching (incremental) and the
downloader middlewares (middlewares).
"""
