"""Stand-ins for the scale benchmark: deterministic synthetic corpora and reused real vectors.

Corpora: plan-like documents and prose built from the real corpus.

Plans vary the real work plan: a new county and new partner counties, sections and tasks drawn and shuffled, and
responsible units drawn from a pool (sometimes with the “以下…均为责任单位，不再列出” note). Prose documents are
headed like the related documents (标题/来源/发布) and strung together from their sentences. The same seed always gives
the same files.
"""

from __future__ import annotations

import hashlib
import logging
import random
import re
import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ingest.chunking import split_sentences
from ingest.loaders import discover, load_document
from ingest.numerals import int_to_cn
from ingest.plan_parser import parse_plan
from ingest.settings import PLAN_DOC_ID
from ingest.units import AliasTable

log = logging.getLogger(__name__)

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "corpus"

_NAME_CHARS = "安平宁远康泰丰华兴永清河山川源阳和新昌瑞德明嘉盛福桂云岭石泉溪汉青阜临沙潭凤鹤林"
_CITIES = ("南通市", "苏州市", "无锡市", "常州市", "扬州市", "泰州市", "盐城市", "淮安市", "徐州市", "宿迁市")
_EXTRA_UNITS = (
    "区水利局", "区审计局", "区统计局", "区应急管理局", "区退役军人事务局", "区住房和城乡建设局", "区交通运输局",
    "区市场监督管理局", "区司法局", "区医疗保障局", "团区委", "区残联", "区红十字会", "区档案馆", "区行政审批局",
    "区城市管理局", "区侨联", "区科协", "区委宣传部", "区委统战部", "区委网信办", "区信访局", "区机关事务管理局",
)
_TOPICS = ("东西部协作", "消费帮扶", "劳务协作", "产业合作", "结对帮扶", "乡村振兴", "医疗帮扶", "教育帮扶")
_TASK_KEY = re.compile(r"第\d+项 ([^。]+)。")
_SECTION_KEY = re.compile(r"[一二三四五六七八九十]+、(\S+)")
_KINDS = ("工作简报", "情况通报", "工作动态", "经验交流材料", "座谈会纪要", "调研报告")


@dataclass
class BaseMaterial:
    """What synthetic documents are made from: the parsed real plan and sentences of the related documents."""

    title: str
    preamble: str
    sections: list[tuple[str, str]]  # (name, intro)
    tasks: list[tuple[str, str]]  # (title, body)
    units: list[str]
    sentences: list[str] = field(default_factory=list)

    @classmethod
    def load(cls, corpus_dir: Path = CORPUS, plan_doc: str = PLAN_DOC_ID) -> BaseMaterial:
        aliases = AliasTable.load()
        plan_path = next(p for p in discover(corpus_dir) if p.stem == plan_doc)
        doc = load_document(plan_path)
        plan = parse_plan(doc.text, doc.doc_id, aliases)
        sections = [(s.name, s.intro) for s in plan.sections if s.intro]
        tasks = [(t.title, t.body.replace("\n", "")) for t in plan.tasks]
        units = [u for u in aliases.canonical if u.startswith("区") and "镇巴" not in u and "专班" not in u]
        sentences: list[str] = []
        for path in discover(corpus_dir):
            if path.stem == plan_doc:
                continue
            d = load_document(path)
            body = d.text[d.body_start:]
            sentences += [s for s, _, _ in split_sentences(body) if 15 <= len(s) <= 160]
        return cls(plan.title, plan.preamble, sections, tasks, units + list(_EXTRA_UNITS), sentences)


def _place(rng: random.Random, taken: set[str]) -> str:
    while True:
        name = "".join(rng.sample(_NAME_CHARS, 2))
        if name not in taken:
            taken.add(name)
            return name


def _localize(text: str, county: str, partners: tuple[str, str]) -> str:
    a, b = partners
    for old, new in (("镇巴县", f"{a}县"), ("尖扎县", f"{b}县"), ("镇巴", a), ("尖扎", b), ("通州", county)):
        text = text.replace(old, new)
    return text


def synth_plan(base: BaseMaterial, seed: int, index: int) -> str:
    """One plan-like document: 3–6 shuffled sections, 6–12 tasks renumbered 1…n, units from the pool."""
    rng = random.Random(f"plan:{seed}:{index}")
    taken: set[str] = set()
    county, partners = _place(rng, taken), (_place(rng, taken), _place(rng, taken))
    year = rng.choice((2024, 2025, 2026, 2027))
    title = f"{year}年{rng.choice(_CITIES)}{county}区东西部协作工作要点"
    lines = [title]
    if rng.random() < 0.5:
        lines.append(rng.choice(("（征求意见稿）", "（送审稿）", "（讨论稿）")))
    lines.append(_localize(base.preamble, county, partners))
    sections = rng.sample(base.sections, rng.randint(3, min(6, len(base.sections))))
    tasks = rng.sample(base.tasks, rng.randint(max(6, len(sections)), min(12, len(base.tasks))))
    per_section = [1] * len(sections)
    for _ in range(len(tasks) - len(sections)):
        per_section[rng.randrange(len(sections))] += 1
    liaison = f"区对口帮扶{partners[0]}联络组"
    item = 0
    for number, ((name, intro), count) in enumerate(zip(sections, per_section), 1):
        lines.append(f"{int_to_cn(number)}、{name}")
        lines.append(_localize(intro, county, partners))
        for _ in range(count):
            task_title, body = tasks[item]
            item += 1
            units = rng.sample(base.units, rng.randint(1, 5))
            if item == 1 and rng.random() < 0.5:
                units[-1] += f"等按职责分工负责（以下{liaison}均为责任单位，不再列出）"
                clause = f"〔责任单位：{'、'.join(units)}〕"
            else:
                clause = f"（责任单位：{'、'.join(units)}等按职责分工负责）"
            lines.append(f"{item}. {task_title}。{_localize(body, county, partners)}{clause}")
    return "\n".join(lines) + "\n"


def synth_prose(base: BaseMaterial, seed: int, index: int) -> str:
    """One prose document with a 标题/来源/发布 header and 8–20 sentences of the related documents."""
    rng = random.Random(f"prose:{seed}:{index}")
    taken: set[str] = set()
    county, partners = _place(rng, taken), (_place(rng, taken), _place(rng, taken))
    year, month, day = rng.randint(2018, 2026), rng.randint(1, 12), rng.randint(1, 28)
    title = f"{county}区{rng.choice(_TOPICS)}{rng.choice(_KINDS)}（第{rng.randint(1, 60)}期）"
    body = [_localize(s, county, partners) for s in rng.choices(base.sentences, k=rng.randint(8, 20))]
    paragraphs = ["".join(body[i:i + 4]) for i in range(0, len(body), 4)]
    header = [f"标题：{title}", f"来源：https://example.invalid/{seed}/{index:06d}",
              f"发布：{county}区东西部协作工作专班，{year}年{month}月{day}日"]
    return "\n".join(header) + "\n\n" + "\n".join(paragraphs) + "\n"


@dataclass
class SynthCorpus:
    path: Path
    documents: int
    plans: int
    prose: int
    real: int


def generate_corpus(out_dir: Path, n_docs: int, seed: int = 7, plan_share: float = 0.2,
                    include_real: bool = True, base: BaseMaterial | None = None) -> SynthCorpus:
    """Write `n_docs` documents into `out_dir` (the real corpus first when `include_real`, then synthetic ones)."""
    base = base or BaseMaterial.load()
    out_dir.mkdir(parents=True, exist_ok=True)
    real = 0
    if include_real:
        for path in discover(CORPUS):
            shutil.copy2(path, out_dir / path.name)
            real += 1
    plans = prose = 0
    synth_dir = out_dir / "synth"
    synth_dir.mkdir(exist_ok=True)
    for i in range(max(0, n_docs - real)):
        # a fixed, seed-dependent interleaving of plans and prose
        if random.Random(f"kind:{seed}:{i}").random() < plan_share:
            text, name = synth_plan(base, seed, i), f"synth_plan_{i:06d}.txt"
            plans += 1
        else:
            text, name = synth_prose(base, seed, i), f"synth_prose_{i:06d}.txt"
            prose += 1
        (synth_dir / name).write_text(text, encoding="utf-8")
    log.info("synthetic corpus in %s: %d real, %d plans, %d prose", out_dir, real, plans, prose)
    return SynthCorpus(out_dir, real + plans + prose, plans, prose, real)


def _digest(text: str) -> int:
    return int.from_bytes(hashlib.blake2b(text.encode("utf-8"), digest_size=8).digest(), "little")


def template_key(embed_text: str) -> str | None:
    """Which real text a synthetic chunk was made from: the task title or the section name; None for prose."""
    m = _TASK_KEY.search(embed_text)
    if m:
        return "task:" + m.group(1)
    m = _SECTION_KEY.search(embed_text.split("\n", 1)[0])
    if m and "本部分任务" in embed_text:
        return "section:" + m.group(1)
    return None


class ReusingEmbedder:
    """Embeds up to `limit` passages with the real model; later passages reuse a real vector plus small noise.

    A reused vector comes from the first real passage of the same template (task title or section name), else
    from a hash-chosen real passage. Vectors in `preset` (embed text -> vector, e.g. from an earlier run) are
    returned as they are. Queries always go to the real model. Counters say what was real, reused or preset.
    """

    def __init__(self, inner, limit: int | None = None, preset: dict | None = None, noise: float = 0.015):
        self.inner = inner
        self.identity = inner.identity
        self.limit = limit
        self.preset = preset or {}
        self.noise = noise
        self._by_key: dict[str, np.ndarray] = {}
        self._pool: list[np.ndarray] = []
        self.real_n = self.reused_n = self.preset_n = 0
        self.real_s = self.real_cpu_s = 0.0

    def embed_passages(self, texts):
        out: list = [None] * len(texts)
        todo: list[int] = []
        for i, t in enumerate(texts):
            if t in self.preset:
                out[i] = self.preset[t]
                self.preset_n += 1
            elif self.limit is None or self.real_n + len(todo) < self.limit:
                todo.append(i)
        if todo:
            t0, c0 = time.perf_counter(), time.process_time()
            vecs = self.inner.embed_passages([texts[i] for i in todo])
            self.real_s += time.perf_counter() - t0
            self.real_cpu_s += time.process_time() - c0
            self.real_n += len(todo)
            for i, v in zip(todo, vecs):
                arr = np.asarray(v, dtype=np.float32)
                out[i] = arr
                self._pool.append(arr)
                key = template_key(texts[i])
                if key:
                    self._by_key.setdefault(key, arr)
        for i, t in enumerate(texts):
            if out[i] is None:
                out[i] = self._reuse(t)
                self.reused_n += 1
        return [np.asarray(v, dtype=np.float32).tolist() for v in out]

    def _reuse(self, text: str) -> np.ndarray:
        if not self._pool:
            raise RuntimeError("no real vectors to reuse: set a real-embedding limit above 0")
        h = _digest(text)
        key = template_key(text)
        base = self._by_key.get(key) if key else None
        if base is None:
            base = self._pool[h % len(self._pool)]
        v = base + np.random.default_rng(h).normal(0.0, self.noise, base.shape).astype(np.float32)
        return v / np.linalg.norm(v)

    def embed_query(self, text: str) -> list[float]:
        return self.inner.embed_query(text)

    def forget_queries(self) -> None:
        """Drop the inner embedder's query cache so timed queries pay for their embedding."""
        cache = getattr(self.inner, "_cache", None)
        if cache is not None:
            cache.clear()

