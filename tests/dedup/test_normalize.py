from __future__ import annotations

from crawler.dedup.normalize import norm_hash, normalize, tokens
from crawler.dedup.shingles import shingle_bytes, shingles_of_tokens


def test_nfkc_case_and_space() -> None:
    assert normalize("  The\u00a0ﬁrst   ＧＰＵ\n") == "the first gpu"


def test_punctuation_splits_and_apostrophes_join() -> None:
    assert tokens("Don't stop—it's e-mail, (really)!") == [
        "dont",
        "stop",
        "it",
        "e",
        "mail",
        "really",
    ]


def test_possessive_dropped() -> None:
    assert tokens("Japan’s and Japan's") == ["japan", "and", "japan"]


def test_digits_kept_and_unified() -> None:
    assert tokens("1,000 GPUs cost 3,5 or 2.75 in 2024 100 firms, 6th") == [
        "1000",
        "gpus",
        "cost",
        "3.5",
        "or",
        "2.75",
        "in",
        "2024",
        "100",
        "firms",
        "6th",
    ]


def test_cjk_split_into_characters() -> None:
    assert tokens("東京AI大会") == ["東", "京", "ai", "大", "会"]


def test_norm_hash_ignores_case_punctuation_and_spacing() -> None:
    assert norm_hash("Hello, World!") == norm_hash("hello   world")
    assert norm_hash("Hello world") != norm_hash("Hello worlds")
    assert len(norm_hash("")) == 64


def test_shingles_are_stemmed_content_words() -> None:
    assert shingles_of_tokens(tokens("The policies were backed by the ministries")) == [
        "policy",
        "back",
        "ministry",
    ]


def test_cjk_shingles_are_character_bigrams() -> None:
    assert shingles_of_tokens(tokens("東京大学")) == ["東京", "京大", "大学"]
    assert shingle_bytes("東") == ["東".encode()]
