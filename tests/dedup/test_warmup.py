"""``warm_up`` runs, in a fresh process, every kernel a crawl's dedup calls, so none is
compiled in the middle of a crawl."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

SCRIPT = r"""
import json
from crawler.dedup import features_kernel, lsh_kernel, pair_kernel, query_kernel
from crawler.dedup import minhash_kernel, tokenize_kernel
from crawler.dedup.warmup import warm_up

seconds = warm_up()
used = {
    lsh_kernel: ["probe_run", "table_insert", "table_probe", "band_keys_kernel", "merge_runs",
                 "prefix_offsets", "sort_run"],
    query_kernel: ["article_keys", "route_hits"],
    pair_kernel: ["within_pairs", "pair_stats", "count_documents"],
    features_kernel: ["fast_overlaps", "char4_overlap", "sequence_ratio", "id_relations"],
    minhash_kernel: ["minhash_terms"],
    tokenize_kernel: ["tokenize", "insert_tokens"],
}
cold = [m.__name__ + "." + n for m, names in used.items() for n in names
        if not getattr(m, n).signatures]
print(json.dumps({"seconds": seconds, "cold": cold}))
"""


def test_warm_up_runs_every_kernel_of_a_crawl() -> None:
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    env.pop("NEWSDEDUP_JIT", None)
    proc = subprocess.run(
        [sys.executable, "-c", SCRIPT], capture_output=True, text=True, env=env, check=True
    )
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    assert result["cold"] == []
    assert result["seconds"] > 0
