"""The CI accuracy guard's decision (a pure function) and its floors file."""

from __future__ import annotations

import json

from eval.guard import GUARD, HERE, check


def test_check_names_every_set_below_its_floor():
    assert check({"dev": 190, "heldout": 59}, {"dev": 190, "heldout": 58}) == []
    assert check({"dev": 189, "heldout": 59}, {"dev": 190, "heldout": 60}) == ["dev", "heldout"]
    assert check({}, {"dev": 1}) == ["dev"]


def test_every_guarded_set_exists_and_its_floor_fits():
    guard = json.loads(GUARD.read_text(encoding="utf-8"))
    for name, spec in guard["sets"].items():
        rows = [line for line in (HERE / f"{name}.jsonl").read_text(encoding="utf-8").splitlines() if line.strip()]
        assert spec["n"] == len(rows) and 0 <= spec["min_correct"] <= len(rows)
