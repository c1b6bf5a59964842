"""A made-up plan of another district and partner county answers its own lookups with no code change."""

from __future__ import annotations

import pytest

from app.answerer import Answerer
from ingest.pipeline import run_ingest
from ingest.settings import Settings
from ingest.store import IndexStore, open_client
from retriever.index import KnowledgeIndex

from .conftest import FakeEmbedder
from .planversions import OTHER_DISTRICT_PLAN


@pytest.fixture(scope="module")
def answerer(tmp_path_factory, aliases) -> Answerer:
    root = tmp_path_factory.mktemp("wujiang")
    (root / "corpus").mkdir()
    (root / "corpus" / "2027_wujiang_yaodian.txt").write_text(OTHER_DISTRICT_PLAN, encoding="utf-8")
    settings = Settings(data_dir=root / "data", corpus_dir=root / "corpus", _env_file=None)  # default plan id absent
    store = IndexStore(open_client(settings), settings.collection)
    emb = FakeEmbedder()
    assert run_ingest(settings.corpus_dir, store, emb, aliases, settings.plan_doc).ok
    return Answerer(KnowledgeIndex.load(store, emb, aliases, settings.plan_doc))


def items(ans) -> list[int]:
    return [c.item for c in ans.citations]


def test_its_plan_is_the_default(answerer):
    shelf = answerer.index.plans
    assert shelf.default_doc == "2027_wujiang_yaodian" and answerer.index.plan_doc == "2027_wujiang_yaodian"
    info = shelf.info(shelf.default_doc)
    assert (info.year, info.version) == (2027, "送审稿")


@pytest.mark.parametrize("question,expected", [
    ("区农业农村局负责哪些任务", [1]),
    ("区教育体育局负责哪些任务", [3]),
    ("区卫生健康委员会负责哪些任务", [4]),
    ("区对口帮扶紫云工作组负责哪些任务", [1, 2, 3, 4]),
])
def test_unit_lookups(answerer, question, expected):
    ans = answerer.answer(question)
    assert ans.mode == "lookup" and items(ans) == expected
    assert "依据" not in ans.answer  # one plan: nothing to say about versions


def test_inherited_unit_is_explained(answerer):
    ans = answerer.answer("区对口帮扶紫云工作组负责哪些任务")
    assert "以下对口帮扶紫云工作组均为责任单位" in ans.answer


def test_item_and_section_lookups(answerer):
    item = answerer.answer("第2项由谁牵头")
    assert item.mode == "item" and "区发展和改革委员会" in item.answer
    section = answerer.answer("人才交流行动包括哪些任务")
    assert section.mode == "section" and items(section) == [3, 4]


def test_partner_county_comes_from_the_plan(answerer):
    assert set(answerer.index.places) == {"紫云县", "紫云"}
    ans = answerer.answer("对口的是哪个县")
    assert ans.found and "紫云县" in ans.answer
