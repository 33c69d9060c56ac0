"""The crawl service: the runner (crawls and their runs), the scheduler, run health and
live progress.
"""
