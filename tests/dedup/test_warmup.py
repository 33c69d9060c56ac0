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
from crawler.dedup.kernels import pair, tokenize
from crawler.dedup.warmup import warm_up

seconds = warm_up()
used = {
    pair: ["within_pairs", "pair_stats", "article_terms"],
    tokenize: ["tokenize", "insert_tokens"],
}
cold = [m.__name__ + "." + n for m, names in used.items() for n in names
        if not getattr(m, n).signatures]
print(json.dumps({"seconds": seconds, "cold": cold}))
"""


def test_warm_up_runs_every_kernel_of_a_crawl() -> None:
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    env.pop("NUMBA_DISABLE_JIT", None)
    proc = subprocess.run(
        [sys.executable, "-c", SCRIPT], capture_output=True, text=True, env=env, check=True
    )
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    assert result["cold"] == []
    assert result["seconds"] > 0
