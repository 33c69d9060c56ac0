"""Repository functions: every one takes a Session first, flushes at most, never commits.

The caller owns the session and its transaction (see :func:`storage.db.session_scope`).
"""

from __future__ import annotations

from storage.repo.articles import (
    STATUS_NEW,
    STATUS_UNCHANGED,
    STATUS_UPDATED,
    ArticleFields,
    article_text,
    get_article,
    save_article,
)
from storage.repo.clusters import (
    ClusterMemberView,
    ClusterView,
    cluster_articles,
    cluster_of,
    join_cluster,
    list_clusters,
    set_original,
)
from storage.repo.dedup import (
    SignatureRow,
    add_duplicate_link,
    delete_signatures_except,
    get_or_create_params,
    iter_signatures,
    paragraph_texts,
    paragraphs_missing_signature,
    save_signature,
    save_signatures,
)
from storage.repo.flags import (
    FlagView,
    article_ids_of_paragraphs,
    count_paragraphs_containing,
    list_flags,
    paragraph_counts,
)
from storage.repo.pages import get_page, page_body, page_ids, upsert_page
from storage.repo.runs import bump, finish_run, start_run, validate_counter
from storage.repo.sources import get_or_create_source, get_source
from storage.repo.stats import SourceSummary, Summary, summary

__all__ = [
    "STATUS_NEW",
    "STATUS_UNCHANGED",
    "STATUS_UPDATED",
    "ArticleFields",
    "ClusterMemberView",
    "ClusterView",
    "FlagView",
    "SignatureRow",
    "SourceSummary",
    "Summary",
    "add_duplicate_link",
    "article_ids_of_paragraphs",
    "article_text",
    "bump",
    "cluster_articles",
    "cluster_of",
    "count_paragraphs_containing",
    "delete_signatures_except",
    "finish_run",
    "get_article",
    "get_or_create_params",
    "get_or_create_source",
    "get_page",
    "get_source",
    "iter_signatures",
    "join_cluster",
    "list_clusters",
    "list_flags",
    "page_body",
    "page_ids",
    "paragraph_counts",
    "paragraph_texts",
    "paragraphs_missing_signature",
    "save_article",
    "save_signature",
    "save_signatures",
    "set_original",
    "start_run",
    "summary",
    "upsert_page",
    "validate_counter",
]
