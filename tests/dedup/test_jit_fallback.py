"""The compiled kernels and the same functions run as plain Python (numba's
``NUMBA_DISABLE_JIT=1``) give the same matches: each is an oracle for the other."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures" / "dedup"

SCRIPT = r"""
import json, random, sys
from pathlib import Path
from bench.dedup_bench import Corpus, light_edit
from crawler.dedup import DedupEngine

intro = Path(sys.argv[1]) / "repeated_intro.txt"
articles = [[p.strip() for p in intro.read_text(encoding="utf-8").split("\n\n") if p.strip()]]
corpus = Corpus(vocab_size=5_000)
rng = random.Random(5)
fresh = [corpus.paragraphs(1_000 * a, 6) for a in range(20)]
articles += fresh + [[light_edit(p, rng) for p in a] for a in fresh[:10]]
articles.append(list(fresh[0]))  # an exact copy
engine = DedupEngine()
store = {}
engine.lookup = lambda keys: {k: store[k] for k in keys if k in store}
key = 0
out = []
for article, texts in enumerate(articles):
    sigs = engine.signatures(texts)
    for m in engine.check_article(texts, sigs, article=article):
        out.append([article, m.index, m.other, m.kind, m.method, round(m.score, 9)])
    engine.add_many(range(key, key + len(texts)), article, sigs)
    for t in texts:
        store[key] = t
        key += 1
print(json.dumps(out))
"""


def _run(disable_jit: str) -> list[list[object]]:
    env = dict(os.environ, NUMBA_DISABLE_JIT=disable_jit, PYTHONPATH=str(ROOT))
    proc = subprocess.run(
        [sys.executable, "-c", SCRIPT, str(FIXTURES)],
        capture_output=True,
        text=True,
        env=env,
        check=True,
        timeout=600,
    )
    result: list[list[object]] = json.loads(proc.stdout)
    return result


def test_plain_python_kernels_give_the_same_matches() -> None:
    compiled = _run("0")
    kinds = {row[3] for row in compiled}
    assert {"near_within", "near_cross", "exact_cross"} <= kinds
    assert _run("1") == compiled
