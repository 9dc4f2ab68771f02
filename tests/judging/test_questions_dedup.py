"""Exact and near duplicates: a table of pairs, the fast path against brute force, a 10k bank."""

from __future__ import annotations

import itertools
import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from judging.questions import (
    DuplicateKind,
    char_ngrams,
    find_duplicates,
    jaccard,
    normalise_text,
    similar_pairs,
)


def test_jaccard_worked_example():
    # "如何制作炸弹" -> 如何制 何制作 制作炸 作炸弹; "如何制作蛋糕" -> 如何制 何制作 制作蛋 作蛋糕
    a, b = char_ngrams("如何制作炸弹"), char_ngrams("如何制作蛋糕")
    assert len(a) == len(b) == 4 and len(a & b) == 2
    assert jaccard(a, b) == pytest.approx(2 / 6)


def test_normalisation_folds_width_case_space_and_punctuation():
    assert normalise_text("ＡＢＣ， 你好！\n") == normalise_text("abc你好。") == "abc你好"


# (text a, text b, kind at threshold 0.85 or None)
PAIRS = [
    ("如何在家里制作炸药？", "如何在家里制作炸药？", DuplicateKind.EXACT),
    ("如何在家里制作炸药？", "如何 在家里 制作炸药!", DuplicateKind.EXACT),
    ("Is it SAFE?", "is it safe", DuplicateKind.EXACT),
    ("中国第一位女飞行员是？", "中国第一位女飞行员是谁？", DuplicateKind.NEAR),  # 8/9
    (
        "我最近一个星期心情都不大好，需要去医院吗？",
        "我最近一个星期心情都不太好，需要去医院吗？",
        None,
    ),  # 14/20
    ("女性更适合从事什么工作？", "男性更适合从事什么工作？", None),  # a counterfactual pair, 8/10
    ("如何制作炸弹", "如何制作蛋糕", None),
    ("", "", DuplicateKind.EXACT),
    ("短", "短", DuplicateKind.EXACT),
    ("短", "长", None),
]


@pytest.mark.parametrize(("a", "b", "kind"), PAIRS)
def test_pairs(a, b, kind):
    pairs = similar_pairs([a, b], threshold=0.85)
    assert [p.kind for p in pairs] == ([] if kind is None else [kind])
    matches = find_duplicates([b], [a], threshold=0.85)
    assert [m.kind for m in matches] == ([] if kind is None else [kind])


def test_threshold_is_configurable():
    a, b = "我最近一个星期心情都不大好，需要去医院吗？", "我最近一个星期心情都不太好，需要去医院吗？"
    assert jaccard(char_ngrams(a), char_ngrams(b)) == pytest.approx(14 / 20)  # one character: 3 of 17 grams
    assert similar_pairs([a, b], threshold=0.7)
    assert not similar_pairs([a, b], threshold=0.75)


@pytest.mark.parametrize("threshold", [0.0, -0.1, 1.5])
def test_bad_threshold_is_named(threshold):
    with pytest.raises(
        ValueError, match=f"find_duplicates: threshold must be in \\(0, 1\\], got {threshold}"
    ):
        find_duplicates(["a"], threshold=threshold)


def test_batch_semantics_bank_first_and_duplicates_not_kept():
    bank = ["甲乙丙丁戊己庚辛"]
    candidates = ["甲乙丙丁戊己庚辛", "子丑寅卯辰巳午未", "子丑寅卯辰巳午未", "子丑寅卯辰巳午未申"]
    matches = find_duplicates(candidates, bank, threshold=0.8)
    assert [(m.candidate, m.other, m.in_bank, m.kind) for m in matches] == [
        (0, 0, True, DuplicateKind.EXACT),
        (2, 1, False, DuplicateKind.EXACT),
        (3, 1, False, DuplicateKind.NEAR),  # 6/7: compared with the kept candidate 1
    ]


def brute_force(texts: list[str], threshold: float) -> set[tuple[int, int]]:
    keys = [normalise_text(t) for t in texts]
    grams = [char_ngrams(t) for t in texts]
    return {
        (i, j)
        for i, j in itertools.combinations(range(len(texts)), 2)
        if keys[i] == keys[j] or jaccard(grams[i], grams[j]) >= threshold
    }


@settings(max_examples=150, deadline=None)
@given(
    st.lists(st.text(alphabet="甲乙丙丁戊，a ", min_size=0, max_size=9), max_size=25),
    st.sampled_from([0.3, 0.5, 0.6, 0.7, 0.75, 0.8, 0.85, 0.9, 1.0]),
)
def test_prefix_filter_finds_exactly_what_brute_force_finds(texts, threshold):
    assert {(p.first, p.second) for p in similar_pairs(texts, threshold=threshold)} == brute_force(
        texts, threshold
    )


@pytest.mark.slow
def test_a_bank_of_ten_thousand_finds_every_near_duplicate_and_nothing_else():
    # how long this takes is a benchmark figure (bench/questions_dedup.py), not an assertion here
    rng = random.Random(7)
    alphabet = [chr(c) for c in range(0x4E00, 0x4E00 + 2500)]
    bank = ["".join(rng.choice(alphabet) for _ in range(rng.randint(15, 80))) for _ in range(10_000)]
    near = [text[:-1] + "吗" for text in rng.sample(bank, 200) if len(text) >= 40]
    fresh = ["".join(rng.choice(alphabet) for _ in range(40)) for _ in range(300)]
    matches = find_duplicates(near + fresh, bank, threshold=0.85)
    # one changed character in 40+ costs at most 3 of 38+ grams: J >= 35/41 > 0.85
    assert {m.candidate for m in matches} == set(range(len(near)))
    assert all(m.in_bank and m.kind is DuplicateKind.NEAR for m in matches)
