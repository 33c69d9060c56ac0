"""Scrapy settings for newsdedup, and the project's own ``NEWSDEDUP_*`` settings.

This module is the one configuration system. Every ``NEWSDEDUP_*`` setting can be
overridden by an environment variable of the same name; the CLI's options override
both. The module is plain Python (it does not import Scrapy) so that the CLI, the
storage layer and the web app can read it too, through :func:`get`.
"""

from __future__ import annotations

import os

BOT_NAME = "newsdedup"
SPIDER_MODULES = ["crawler.spiders"]
NEWSPIDER_MODULE = "crawler.spiders"

# --- newsdedup settings (env var of the same name overrides) -----------------------
# SQLAlchemy URL of the database. Default: an SQLite file in the working directory.
NEWSDEDUP_DATABASE_URL = os.environ.get("NEWSDEDUP_DATABASE_URL", "sqlite:///newsdedup.db")
# Path of the sources file (TOML).
NEWSDEDUP_SOURCES = os.environ.get("NEWSDEDUP_SOURCES", "config/sources.toml")
# User agent sent to sites.
NEWSDEDUP_USER_AGENT = os.environ.get(
    "NEWSDEDUP_USER_AGENT", "newsdedup/0.1 (+https://example.invalid/newsdedup)"
)

# HTTP proxy for every request, e.g. http://127.0.0.1:PORT (the sample site's server).
# Empty: no proxy (crawler.fetch.middlewares.ProxyMiddleware stays off).
NEWSDEDUP_PROXY = os.environ.get("NEWSDEDUP_PROXY", "")

# Health: the most share (0..1) of fetched pages whose extraction may fail before a run
# counts as failed. A source's `max_failure_share` in sources.toml overrides it.
NEWSDEDUP_MAX_FAILURE_SHARE = float(os.environ.get("NEWSDEDUP_MAX_FAILURE_SHARE", "0.5"))
# Live progress (crawler.service.progress.ProgressExtension): a line redrawn in place when stderr
# is a terminal, else a log line every NEWSDEDUP_PROGRESS_INTERVAL seconds.
NEWSDEDUP_PROGRESS_ENABLED = os.environ.get("NEWSDEDUP_PROGRESS_ENABLED", "1") not in ("0", "")
NEWSDEDUP_PROGRESS_INTERVAL = float(os.environ.get("NEWSDEDUP_PROGRESS_INTERVAL", "10"))
# Whether the live line may be used at all (the scheduler turns it off for its children).
NEWSDEDUP_PROGRESS_LIVE = os.environ.get("NEWSDEDUP_PROGRESS_LIVE", "1") not in ("0", "")
# Retries on 429/5xx (crawler.fetch.retry.BackoffRetryMiddleware): exponential backoff from
# NEWSDEDUP_RETRY_BASE_DELAY seconds, or the server's Retry-After, at most
# NEWSDEDUP_RETRY_MAX_DELAY seconds per wait.
NEWSDEDUP_RETRY_BASE_DELAY = float(os.environ.get("NEWSDEDUP_RETRY_BASE_DELAY", "1.0"))
NEWSDEDUP_RETRY_MAX_DELAY = float(os.environ.get("NEWSDEDUP_RETRY_MAX_DELAY", "60"))
# The crawl writer (crawler.service.writer): most pages stored in one transaction (pages
# waiting in the queue are committed together; 1: one commit per page).
NEWSDEDUP_WRITE_BATCH = int(os.environ.get("NEWSDEDUP_WRITE_BATCH", "50"))
# Where pages are extracted (crawler.service.extract_pool): "writer" (on the writer
# thread, in its batch), "thread" or "process" (a pool of NEWSDEDUP_EXTRACT_WORKERS).
NEWSDEDUP_EXTRACT_POOL = os.environ.get("NEWSDEDUP_EXTRACT_POOL", "writer")
NEWSDEDUP_EXTRACT_WORKERS = int(os.environ.get("NEWSDEDUP_EXTRACT_WORKERS", "2"))
# Seconds a request may take before it counts as a timeout (Scrapy's DOWNLOAD_TIMEOUT).
NEWSDEDUP_DOWNLOAD_TIMEOUT = float(os.environ.get("NEWSDEDUP_DOWNLOAD_TIMEOUT", "30"))
# Timeouts: how many times a request that got no answer within DOWNLOAD_TIMEOUT is tried
# again (other errors and 429/5xx follow RETRY_TIMES). 0: a page that hangs costs one
# DOWNLOAD_TIMEOUT, not three; the next crawl tries it again anyway.
NEWSDEDUP_RETRY_TIMEOUTS = int(os.environ.get("NEWSDEDUP_RETRY_TIMEOUTS", "0"))
# Scheduler: how often (seconds) `newsdedup schedule` checks its child crawls at most.
NEWSDEDUP_SCHEDULE_POLL = float(os.environ.get("NEWSDEDUP_SCHEDULE_POLL", "5"))

# Scale-out (docs/scaling.md): set NEWSDEDUP_REDIS_URL (with a PostgreSQL database) to make
# every `newsdedup crawl` a worker of one shared crawl: shared request queue and seen set
# (scrapy-redis), shared paragraph index. Empty: a single-machine crawl.
NEWSDEDUP_REDIS_URL = os.environ.get("NEWSDEDUP_REDIS_URL", "")
# Prefix of every Redis key of newsdedup, and the id shared by the workers of one crawl.
NEWSDEDUP_REDIS_PREFIX = os.environ.get("NEWSDEDUP_REDIS_PREFIX", "newsdedup")
NEWSDEDUP_CRAWL_ID = os.environ.get("NEWSDEDUP_CRAWL_ID", "shared")
# Seconds a URL stays in a shared crawl's seen set (not fetched again by any worker) after
# the last worker's heartbeat; keep it below the interval between scheduled crawls.
NEWSDEDUP_SEEN_TTL = int(os.environ.get("NEWSDEDUP_SEEN_TTL", "3600"))
# Seconds without a heartbeat after which a worker counts as dead and the others push the
# requests it had in flight back to the shared queue.
NEWSDEDUP_WORKER_TIMEOUT = float(os.environ.get("NEWSDEDUP_WORKER_TIMEOUT", "15"))
# Seconds a key of the shared paragraph index lives in Redis after its last addition (bounds
# Redis memory; copies are then found within that window). 0: keep keys forever.
NEWSDEDUP_INDEX_TTL = int(os.environ.get("NEWSDEDUP_INDEX_TTL", "0"))

# Index snapshot (docs/operations.md, "Index snapshot"): 1 starts the dedup index from a
# snapshot file and writes it when crawls end; 0: always load it from SQL. The file lives
# beside an SQLite database (newsdedup.db.index) or, when set, in NEWSDEDUP_INDEX_SNAPSHOT_DIR
# (needed for PostgreSQL: without it a PostgreSQL crawl has no snapshot).
NEWSDEDUP_INDEX_SNAPSHOT = os.environ.get("NEWSDEDUP_INDEX_SNAPSHOT", "1")
NEWSDEDUP_INDEX_SNAPSHOT_DIR = os.environ.get("NEWSDEDUP_INDEX_SNAPSHOT_DIR", "")
# Seconds between snapshot writes while crawls run (after a write batch, only when the index
# changed), so a killed long-running service restarts from a recent file; 0: only when
# crawls end.
NEWSDEDUP_INDEX_SNAPSHOT_EVERY = os.environ.get("NEWSDEDUP_INDEX_SNAPSHOT_EVERY", "900")

# 1: recheck the candidate pairs the dedup rules reject with sentence embeddings (needs
# the optional extra: pip install -e '.[embed]'); 0: the rules alone.
NEWSDEDUP_EMBEDDINGS = os.environ.get("NEWSDEDUP_EMBEDDINGS", "0")

# Monitoring (docs/operations.md, "Monitoring"): the crawl service serves Prometheus
# metrics on http://NEWSDEDUP_METRICS_ADDRESS:NEWSDEDUP_METRICS_PORT/metrics (0: off;
# `newsdedup serve` always has /metrics).
NEWSDEDUP_METRICS_PORT = int(os.environ.get("NEWSDEDUP_METRICS_PORT", "0"))
NEWSDEDUP_METRICS_ADDRESS = os.environ.get("NEWSDEDUP_METRICS_ADDRESS", "127.0.0.1")
# Alert hooks (crawler.service.alerts): webhook URLs (commas or spaces between them) that get
# a JSON POST for a failed run or a source silent for NEWSDEDUP_ALERT_SILENT_PERIODS of its
# schedule periods; each URL tried NEWSDEDUP_ALERT_RETRIES more times, with
# NEWSDEDUP_ALERT_TIMEOUT seconds per try. Empty: no alerts.
NEWSDEDUP_ALERT_WEBHOOKS = os.environ.get("NEWSDEDUP_ALERT_WEBHOOKS", "")
NEWSDEDUP_ALERT_RETRIES = int(os.environ.get("NEWSDEDUP_ALERT_RETRIES", "3"))
NEWSDEDUP_ALERT_TIMEOUT = float(os.environ.get("NEWSDEDUP_ALERT_TIMEOUT", "5"))
NEWSDEDUP_ALERT_SILENT_PERIODS = float(os.environ.get("NEWSDEDUP_ALERT_SILENT_PERIODS", "3"))

# Review web app: mark the login cookie Secure (set 1 behind HTTPS), and how many hours a
# login session lasts.
NEWSDEDUP_COOKIE_SECURE = os.environ.get("NEWSDEDUP_COOKIE_SECURE", "0")
NEWSDEDUP_SESSION_HOURS = os.environ.get("NEWSDEDUP_SESSION_HOURS", "8")
# Login throttling: this many failed logins for one name (or from one address) within the
# window (seconds) lock it for the lockout (seconds) after the latest failure (HTTP 429).
NEWSDEDUP_LOGIN_MAX_FAILURES = os.environ.get("NEWSDEDUP_LOGIN_MAX_FAILURES", "5")
NEWSDEDUP_LOGIN_MAX_FAILURES_PER_ADDRESS = os.environ.get(
    "NEWSDEDUP_LOGIN_MAX_FAILURES_PER_ADDRESS", "20"
)
NEWSDEDUP_LOGIN_WINDOW = os.environ.get("NEWSDEDUP_LOGIN_WINDOW", "900")
NEWSDEDUP_LOGIN_LOCKOUT = os.environ.get("NEWSDEDUP_LOGIN_LOCKOUT", "300")

# --- Scrapy ---------------------------------------------------------------------
USER_AGENT = NEWSDEDUP_USER_AGENT
ROBOTSTXT_OBEY = True
CONCURRENT_REQUESTS = 16
CONCURRENT_REQUESTS_PER_DOMAIN = 4
# Items of one response handled at once. Scrapy starts this many tasks for every response
# (2.13+), whatever it yields: an article yields one page, a sitemap its unchanged pages
# (crawler.fetch.incremental), which then reach the writer 16 at a time. Scrapy's default
# of 100 cost 0.7 ms of CPU per page (bench/README.md, bench.pipeline_bench).
CONCURRENT_ITEMS = 16
DOWNLOAD_DELAY = 0.25
DOWNLOAD_TIMEOUT = NEWSDEDUP_DOWNLOAD_TIMEOUT
DOWNLOAD_MAXSIZE = 20 * 1024 * 1024
DOWNLOAD_WARNSIZE = 10 * 1024 * 1024
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 0.5
AUTOTHROTTLE_MAX_DELAY = 30.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 2.0
RETRY_ENABLED = True
RETRY_TIMES = 2
RETRY_HTTP_CODES = [429, 500, 502, 503, 504, 522, 524, 408]
COOKIES_ENABLED = False
TELNETCONSOLE_ENABLED = False
# Scrapy's remote-control HTTP server (code and commands into a running crawl): off, like
# the telnet console.
REMOTE_CONTROL_ENABLED = False
LOG_LEVEL = os.environ.get("NEWSDEDUP_LOG_LEVEL", "INFO")
REQUEST_FINGERPRINTER_IMPLEMENTATION = "2.7"
TWISTED_REACTOR = "twisted.internet.asyncioreactor.AsyncioSelectorReactor"
FEED_EXPORT_ENCODING = "utf-8"

DOWNLOADER_MIDDLEWARES = {
    # Before Scrapy's HttpProxyMiddleware (750), which applies meta["proxy"].
    "crawler.fetch.middlewares.ProxyMiddleware": 350,
    # Retries with backoff honouring Retry-After, in place of Scrapy's RetryMiddleware.
    "scrapy.downloadermiddlewares.retry.RetryMiddleware": None,
    "crawler.fetch.retry.BackoffRetryMiddleware": 550,
    # Scrapy's robots.txt middleware, also recording a robots.txt that cannot be fetched
    # with the run (crawler.fetch.problems).
    "scrapy.downloadermiddlewares.robotstxt.RobotsTxtMiddleware": None,
    "crawler.fetch.problems.ReportingRobotsTxtMiddleware": 100,
}

EXTENSIONS = {
    "crawler.service.progress.ProgressExtension": 500,
    "crawler.service.metrics.MetricsExtension": 510,
    "crawler.fetch.problems.DroppedRedirects": 520,
}

ITEM_PIPELINES = {
    "crawler.pipelines.IngestPipeline": 300,
}


def get(name: str) -> str:
    """Return a ``NEWSDEDUP_*`` setting: the environment variable if set, else the default."""
    if not name.startswith("NEWSDEDUP_"):
        raise KeyError(f"not a newsdedup setting: {name}")
    value = os.environ.get(name)
    if value is not None:
        return value
    default = globals().get(name)
    if default is None:
        raise KeyError(f"unknown setting: {name}")
    return str(default)
