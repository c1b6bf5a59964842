"""Sentence vectors choose the answering sentence within a clause; the scorer reads answers as they are shown."""

from __future__ import annotations

from app.gate import QuestionTerms, TermGroup
from app.quoting import best_sentences
from eval.scoring import Output, score
from retriever.models import Hit
from retriever.sentences import SentenceVectors

from .conftest import FakeEmbedder


class Loading(FakeEmbedder):
    loaded = False


def test_similarities_are_computed_once_per_sentence_and_ranked_by_meaning():
    emb = FakeEmbedder()
    vectors = SentenceVectors(emb, batch=2)
    sents = ["组织劳模赴镇巴县疗休养。", "开展远程医疗协作。", "设立农产品直供基地。"]
    assert vectors.warm(sents) == 3 and emb.calls == 2  # two batches
    sims = vectors.similarities("劳模去疗休养", sents)
    assert max(sims, key=sims.get) == sents[0]
    vectors.similarities("远程医疗", sents)
    assert emb.embedded == 3  # nothing encoded twice


def test_no_similarities_while_the_model_loads():
    assert SentenceVectors(Loading()).similarities("劳模", ["组织劳模疗休养。"]) == {}


def test_meaning_breaks_a_tie_between_sentences_with_the_same_words():
    hit = Hit(id="c", score=1.0, content="第一句讲会议要适时召开。第二句讲会商不能过频过繁。第三句讲别的事。",
              metadata={"kind": "prose"})
    terms = QuestionTerms(groups=[TermGroup("会", ("会",), 1.0)], text="开会不要太频繁")
    plain = best_sentences(terms, hit, (), limit=1)
    chosen = best_sentences(terms, hit, (), limit=1, sims={"第一句讲会议要适时召开。": 0.1,
                                                           "第二句讲会商不能过频过繁。": 0.9,
                                                           "第三句讲别的事。": 0.0})
    assert plain == ["第一句讲会议要适时召开。"] and chosen == ["第二句讲会商不能过频过繁。"]


def test_bold_marks_do_not_hide_a_required_phrase():
    q = {"q": "x", "kind": "content", "gold": [], "how": "found", "must": [["政府引导、市场主导"]], "answerable": True}
    out = Output(found=True, answer="坚持**政府引导**、市场主导", cited=[], ms=1.0)
    assert score(q, out, "plan").must_ok
