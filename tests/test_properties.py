"""Property tests: the plan parser never crashes and never loses a listed unit; rank fusion invariants."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ingest.numerals import cn_to_int, int_to_cn
from ingest.plan_parser import parse_plan
from ingest.units import AliasTable
from retriever.fusion import reciprocal_rank_fusion

ALIASES = AliasTable.load()
_CJK = st.characters(min_codepoint=0x4E00, max_codepoint=0x9FA5)
unit_names = st.builds(lambda body, suffix: "区" + body + suffix, st.text(_CJK, min_size=2, max_size=6),
                       st.sampled_from(["局", "委员会", "中心", "办公室", "联合会"]))
sentences = st.text(st.one_of(_CJK, st.sampled_from("，、“”：0123456789")), min_size=1, max_size=40)


@settings(max_examples=60, deadline=None)
@given(st.text(max_size=400))
def test_parser_never_crashes_on_any_text(text):
    plan = parse_plan(text, "x", ALIASES)
    assert all(t.item > 0 for t in plan.tasks)


@settings(max_examples=80, deadline=None)
@given(st.lists(st.tuples(sentences, st.lists(unit_names, min_size=1, max_size=5, unique=True),
                          st.sampled_from(["（责任单位：{}等按职责分工负责）", "〔责任单位：{}〕", "（责任单位：{}）"])),
                min_size=1, max_size=6),
       st.sampled_from(["、", "，"]))
def test_parser_keeps_every_listed_unit(tasks, sep):
    lines = ["某区工作要点", "", "一、重点工作"]
    for n, (title, units, template) in enumerate(tasks, 1):
        title = title.replace("。", "") or "任务"
        lines.append(f"{n}. {title}。具体内容。" + template.format(sep.join(units)))
    plan = parse_plan("\n".join(lines), "x", ALIASES)
    assert len(plan.tasks) == len(tasks)
    for task, (_, units, _) in zip(plan.tasks, tasks):
        expected = [ALIASES.canonicalize(u) for u in units]
        assert task.listed_units == list(dict.fromkeys(expected))
        assert task.lead_unit == expected[0]


runs = st.lists(st.lists(st.sampled_from(list("abcdefghij")), max_size=8, unique=True), max_size=4)


@given(runs)
def test_rrf_contains_every_document_once_with_positive_scores(rs):
    fused = reciprocal_rank_fusion(rs)
    ids = [d for d, _ in fused]
    assert sorted(ids) == sorted({d for r in rs for d in r})
    assert all(s > 0 for _, s in fused)
    assert [s for _, s in fused] == sorted((s for _, s in fused), reverse=True)


@given(runs)
def test_rrf_is_order_independent_across_runs(rs):
    forward, backward = dict(reciprocal_rank_fusion(rs)), dict(reciprocal_rank_fusion(list(reversed(rs))))
    assert forward.keys() == backward.keys()
    assert all(forward[d] == pytest.approx(backward[d]) for d in forward)


@given(st.lists(st.sampled_from(list("abcdef")), min_size=1, max_size=6, unique=True))
def test_rrf_single_run_keeps_its_order(run):
    assert [d for d, _ in reciprocal_rank_fusion([run])] == run


@given(st.integers(min_value=1, max_value=99))
def test_chinese_numerals_round_trip(n):
    assert cn_to_int(int_to_cn(n)) == n
