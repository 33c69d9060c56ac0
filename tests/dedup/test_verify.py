from __future__ import annotations

import itertools

from crawler.dedup.pairmodel import FEATURES, SLOW_RANGE, WEIGHTS, pair_model_score
from crawler.dedup.params import DedupParams
from crawler.dedup.verify import (
    IdfModel,
    Profile,
    judge,
    pair_features,
    pair_stats,
    verify_pair,
    weigh,
)
from crawler.dedup.vocab import VOCAB
from crawler.dedup.within import ArticleTerms, within_article

ARTICLE = [
    "Velmora, a battery maker based in Tampere, said on Tuesday it will build a second "
    "cell factory near Oulu, adding 12 gigawatt hours of yearly capacity by 2028.",
    "The plant will make lithium iron phosphate cells for grid storage rather than cars, "
    "a market the company expects to double within four years.",
    "Chief executive Aino Laakso said the choice of site came down to cheap hydropower and "
    "a port that stays free of ice for most of the winter.",
    "Regional officials promised a faster permit process, though environmental groups have "
    "asked for a review of the water the plant will draw from the river.",
    "Velmora, the Tampere battery maker, announced Tuesday that a second cell factory near "
    "Oulu will add 12 gigawatt hours of annual capacity by 2028.",
]


def test_vocab_ids_share_stems_and_mark_stopwords() -> None:
    ids = VOCAB.ids(["policies", "policy", "the", "2028"])
    assert ids[0] == ids[1]
    assert VOCAB.hashes[ids[2]] == -1 and VOCAB.hashes[ids[0]] >= 0
    assert bool(VOCAB.numeric[ids[3]]) and not bool(VOCAB.numeric[ids[0]])
    assert VOCAB.ids(["policies"]) == ids[:1]


def test_within_article_equals_judging_every_pair() -> None:
    profiles = [Profile(t) for t in ARTICLE]
    idf = IdfModel()
    ArticleTerms(profiles).observe(idf)
    params = DedupParams()
    found = within_article(profiles, idf, params)
    assert set(found) == {4} and found[4][0] == 0
    assert found[4][1].method.startswith("minhash+verify:")
    for a, b in itertools.combinations(range(4), 2):
        st = pair_stats(weigh(profiles[a], idf), weigh(profiles[b], idf))
        d = judge(st, profiles[a], profiles[b], params)
        assert not d.duplicate


def test_pair_model_accepts_paraphrase_and_numbers_veto() -> None:
    idf = IdfModel()
    texts = [*ARTICLE, "Quarterly revenue at the ferry operator rose on stronger freight."]
    ArticleTerms([Profile(t) for t in texts]).observe(idf)
    params = DedupParams()
    para = verify_pair(Profile(ARTICLE[0]), Profile(ARTICLE[4]), idf, params)
    assert para.duplicate
    other = ARTICLE[4].replace("12", "9").replace("2028", "2030")
    vetoed = verify_pair(Profile(ARTICLE[0]), Profile(other), idf, params)
    assert not vetoed.duplicate and vetoed.method == "veto:numbers"


def test_pair_model_bounds_never_change_the_decision() -> None:
    assert len(WEIGHTS) == len(FEATURES) and SLOW_RANGE[0] <= 0.0 <= SLOW_RANGE[1]
    idf = IdfModel()
    profiles = [Profile(t) for t in ARTICLE]
    ArticleTerms(profiles).observe(idf)
    params = DedupParams(copy_max_novelty=0.0)
    variants = [
        ARTICLE[0].replace("Tuesday", "Monday"),
        ARTICLE[0].replace("said on Tuesday it will build", "plans"),
        " ".join(reversed(ARTICLE[0].split(", "))),
        ARTICLE[1] + " " + ARTICLE[2],
    ]
    for text in variants:
        b = Profile(text)
        st = pair_stats(weigh(profiles[0], idf), weigh(b, idf))
        d = judge(st, profiles[0], b, params)
        if "pair_model" in d.scores or "pair_model_min" in d.scores or "pair_model_max" in d.scores:
            full = pair_model_score(pair_features(st, profiles[0], b, d.scores))
            assert (full >= 0.5) == d.duplicate or d.method.endswith("containment")
