"""The CI accuracy guard's decision (a pure function) and its floors file."""

from __future__ import annotations

import json

from eval.guard import GUARD, HERE, balance, check


def test_check_names_every_set_below_its_floor():
    assert check({"dev": 190, "heldout": 59}, {"dev": 190, "heldout": 58}) == []
    assert check({"dev": 189, "heldout": 59}, {"dev": 190, "heldout": 60}) == ["dev", "heldout"]
    assert check({}, {"dev": 1}) == ["dev"]


def test_every_guarded_set_exists_and_its_floor_fits():
    guard = json.loads(GUARD.read_text(encoding="utf-8"))
    for name, spec in guard["sets"].items():
        rows = [line for line in (HERE / f"{name}.jsonl").read_text(encoding="utf-8").splitlines() if line.strip()]
        assert spec["n"] == len(rows) and 0 <= spec["min_correct"] <= len(rows)


def test_balance_splits_sets_evenly_and_keeps_every_set_once():
    sizes = {"dev": 240, "heldout": 60, "probe": 130, "probe2": 110, "探针": 5}
    groups = balance(sizes, 2)
    assert sorted(n for g in groups for n in g) == sorted(sizes)
    loads = sorted(sum(sizes[n] for n in g) for g in groups)
    assert loads == [245, 300]  # greedy, largest first
    assert balance(sizes, 1) == [["dev", "probe", "probe2", "heldout", "探针"]]
    assert len(balance({"dev": 3}, 4)) == 1  # never more groups than sets
