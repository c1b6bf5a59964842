"""Language knowledge as data: stop words, generic words, everyday-word synonyms and question cues (retriever/data/)."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path


@dataclass(frozen=True)
class FactType:
    """A kind of fact a question can ask for (a number, a date …): how it is asked and how a sentence states it."""

    name: str
    ask: re.Pattern
    state: re.Pattern
    echo: bool = False  # stated only by the very word asked about ("可以带家属吗" needs a sentence about 家属)

    def asked(self, question: str) -> str:
        """The word the question asks about: the first named group that matched, else the whole match."""
        m = self.ask.search(question)
        if not m:
            return ""
        return next((g for g in m.groupdict().values() if g), m.group(0))


def clause_around(text: str, start: int, end: int, keep_end: bool = False) -> str:
    """The clause (between commas and end marks) that holds text[start:end]; `keep_end` keeps its closing mark."""
    marks = "？?，,。！!；;"
    begin = max(text.rfind(p, 0, start) for p in marks) + 1
    ends = [i for i in (text.find(p, end) for p in marks) if i >= 0]
    return text[begin:min(ends) + keep_end if ends else len(text)]


def _words(text: str) -> set[str]:
    return {w for line in text.splitlines() for w in line.split("#", 1)[0].split()}


@dataclass
class Lexicon:
    """Everything the question side knows about words; loaded once, shared by the retriever and the answerer."""

    stopwords: frozenset[str] = frozenset()
    generic: frozenset[str] = frozenset()
    synonyms: dict[str, tuple[str, ...]] = field(default_factory=dict)
    cues: dict[str, re.Pattern] = field(default_factory=dict)
    fact_types: list[FactType] = field(default_factory=list)
    confusions: list[tuple[str, str]] = field(default_factory=list)  # pinyin pairs an IME user confuses

    @classmethod
    def load(cls, folder: Path | None = None) -> Lexicon:
        def read(name: str) -> str:
            if folder is not None:
                return (Path(folder) / name).read_text(encoding="utf-8")
            return resources.files("retriever").joinpath(f"data/{name}").read_text(encoding="utf-8")

        synonyms: dict[str, tuple[str, ...]] = {}
        for line in read("synonyms.tsv").splitlines():
            if not line.strip() or line.startswith("#"):
                continue
            word, _, terms = line.partition("\t")
            synonyms[word.strip()] = tuple(terms.split())
        raw = json.loads(read("cues.json"))
        cues = {k: re.compile(v, re.IGNORECASE) for k, v in raw.items() if isinstance(v, str) and not k.startswith("_")}
        facts = [FactType(name, re.compile(spec["ask"], re.IGNORECASE), re.compile(spec.get("state", "(?!)")),
                          bool(spec.get("echo")))
                 for name, spec in raw.get("fact_types", {}).items() if not name.startswith("_")]
        return cls(stopwords=frozenset(_words(read("stopwords.txt"))), generic=frozenset(_words(read("generic.txt"))),
                   synonyms=synonyms, cues=cues, fact_types=facts,
                   confusions=[tuple(p) for p in raw.get("pinyin_confusions", [])])

    def cue(self, name: str, text: str) -> re.Match | None:
        pattern = self.cues.get(name)
        return pattern.search(text) if pattern else None

    def cue_all(self, name: str, text: str) -> list[re.Match]:
        pattern = self.cues.get(name)
        return list(pattern.finditer(text)) if pattern else []

    def cue_sub(self, name: str, repl: str, text: str) -> str:
        """`text` with every match of cue `name` replaced (unchanged when there is no such cue)."""
        pattern = self.cues.get(name)
        return pattern.sub(repl, text) if pattern else text

    def expansions(self, text: str) -> dict[str, tuple[str, ...]]:
        """Everyday words found in `text` (longest first, no overlaps) with the plan terms they stand for."""
        found: dict[str, tuple[str, ...]] = {}
        masked = text
        for word in sorted(self.synonyms, key=len, reverse=True):
            if word in masked:
                found[word] = self.synonyms[word]
                masked = masked.replace(word, "\u0000" * len(word))
        return found

    def expand(self, text: str) -> list[str]:
        """The plan terms that the everyday words of `text` stand for (deduplicated, in order)."""
        out: list[str] = []
        for terms in self.expansions(text).values():
            out += [t for t in terms if t not in out and t not in text]
        return out

    def fact_type(self, question: str) -> FactType | None:
        """The kind of fact the question asks for, or None when any informative sentence answers it."""
        yes_no = self.cues.get("yes_no")
        for f in self.fact_types:
            m = f.ask.search(question)
            if not m:
                continue
            clause = clause_around(question, m.start(), m.end())
            says = self.cues.get("says_ask")  # "有没有写派几个老师": whether the plan states the number
            if f.name == "quantity" and self.cue("names_not_count", clause):
                continue  # "还有几个互啥来着": which ones, not how many
            if not (m.group(0).startswith("几") and yes_no and yes_no.search(clause)) or (says and says.search(clause)):
                return f  # "能不能去疗养几天": 几天 is "a few days" in a yes/no question
        return None

    def states(self, fact: FactType, sentence: str, known: str = "") -> re.Match | None:
        """Where `sentence` states a fact of this type; vague amounts (一批, 一些) do not count, nor does what the
        question itself already says (`known`: "2026年度考核什么时候开展" is not answered by "2026年度")."""
        if fact.echo:
            word = fact.asked(known)
            return re.search(re.escape(word), sentence) if word else None
        vague = self.cues.get("vague_quantity")
        measure = self.cue("asked_measure", known) if fact.name in ("quantity", "money", "duration") else None
        for m in fact.state.finditer(sentence):
            if fact.name == "quantity" and vague and vague.search(m.group(0)):
                continue
            if measure and measure.group("m") not in m.group(0):
                continue  # "稳住多少万劳动力" is not answered by "9省", "开了几天" not by "17日"
            if known and re.sub(r"\s", "", m.group(0)) in re.sub(r"\s", "", known):
                continue
            if re.search(r"\d{4}\s*年度", known) and sentence[m.end():m.end() + 1] == "度":
                continue  # "2026年度…什么时候": another year's 年度 names another round, not a time
            return m
        return None
