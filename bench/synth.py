"""Synthetic knowledge bases for the benchmark, built from the offline ICLR 2020 catalog.

Every catalog paper gets a valid record (validated by the real model and written by the real
dumper) with authors, an abstract, keywords, tags picked from the repository's taxonomy by its
title, one reading note in both languages, and the citation key ``papernotes fmt`` would
give it. Larger knowledge bases replicate these records under new, valid ids (``<id>_<n>``)
and keys, so every file is distinct, loads, and is as ``fmt`` writes it.
"""

from __future__ import annotations

import datetime as dt
import random
import re
import shutil
import zlib
from pathlib import Path

from papernotes.metadata.catalog import display_title, load_catalog
from papernotes.model.citekey import legacy_keys
from papernotes.model.record import Paper
from papernotes.model.taxonomy import fold
from papernotes.store.records import dump_record, load_taxonomy

REPO = Path(__file__).resolve().parents[1]
KEY_LINE = re.compile(r"^key: (\S+)$", re.MULTILINE)

FIRST = "Wei Jing Ming Anna Lukas Sara Tomas Ravi Yuki Omar Elena Pablo Chen Hao Lin".split()
LAST = "Zhang Wang Li Liu Chen Smith Muller Garcia Kumar Sato Rossi Novak Ahmed Kim Park".split()
STOP = set(
    "a an and are as at be by for from in into is it of on or the to via with without we our "
    "using towards toward its can do does how what when why which".split()
)

ZH_OPINIONS = [
    "值得一读",
    "理论很漂亮，但实验不够充分",
    "思路简单却有效",
    "结果有点出乎意料",
    "和之前的工作很相关，有人做了",
    "似乎没说太清楚",
    "实验部分比较扎实",
    "证明技巧可以借鉴",
]
EN_OPINIONS = [
    "worth reading",
    "the theory is elegant but the experiments are thin",
    "a simple idea that works",
    "the result is somewhat surprising",
    "closely related to earlier work, which already exists",
    "the presentation is not very clear",
    "the experiments are solid",
    "the proof technique is worth borrowing",
]
ZH_CLAIMS = [
    "分析了梯度下降的收敛性，给出了收敛速度",
    "在宽网络的极限下讨论泛化误差",
    "基于NTK理论解释训练动力学",
    "提出了新的正则化方法来提升鲁棒性",
    "用大量实验验证了损失曲面的结构",
    "给出了一个更紧的泛化界",
    "讨论了学习率和批量大小的关系",
    "把剪枝和初始化联系起来",
]
EN_CLAIMS = [
    "it analyses the convergence of gradient descent and gives a rate",
    "it studies the generalization error in the wide-network limit",
    "it explains the training dynamics with neural tangent kernel theory",
    "it proposes a new regularizer to improve robustness",
    "it checks the structure of the loss landscape with many experiments",
    "it gives a tighter generalization bound",
    "it discusses how the learning rate relates to the batch size",
    "it connects pruning with initialization",
]


def _rng(paper_id: str) -> random.Random:
    return random.Random(zlib.crc32(paper_id.encode()))


def _tag_keys(taxonomy) -> list[tuple[str, str]]:
    """(folded Latin key, tag) pairs, longest first, for spotting tags in titles."""
    keys = []
    for name, tag in taxonomy.tags.items():
        for key in (name, tag.en, *tag.aliases):
            if key.isascii() and len(key) >= 3:
                keys.append((fold(key), name))
    return sorted(keys, key=lambda kv: -len(kv[0]))


def _record(entry, taxonomy, keys, base_ids: list[str]) -> dict:
    rng = _rng(entry.id)
    title = display_title(entry)
    folded = f" {fold(re.sub(r'[^A-Za-z0-9 -]', ' ', title))} "
    tags: list[str] = []
    for key, name in keys:
        if f" {key} " in folded and name not in tags:
            tags.append(name)
    if not tags:
        tags.append(rng.choice(sorted(taxonomy.tags)))
    tags = tags[:3]
    labels = [taxonomy.tags[t] for t in tags]
    words = [w for w in re.findall(r"[A-Za-z][A-Za-z-]{3,}", title) if w.lower() not in STOP]
    keywords = list(dict.fromkeys(w.lower() for w in words))[:3]
    zh = "。".join(
        [
            f"这篇文章研究{labels[0].zh}：{title}",
            rng.choice(ZH_CLAIMS),
            f"{rng.choice(ZH_OPINIONS)}，和{'、'.join(t.zh for t in labels)}有关",
        ]
    )
    en = ". ".join(
        [
            f"This paper studies {labels[0].en.lower()}: {title}",
            rng.choice(EN_CLAIMS).capitalize(),
            f"{rng.choice(EN_OPINIONS).capitalize()}; related to "
            + ", ".join(t.en.lower() for t in labels),
        ]
    )
    abstract = (
        f"We study {title.rstrip('.')}. "
        f"Our analysis covers {', '.join(keywords) or 'deep networks'} and "
        f"{labels[0].en.lower()}. Experiments on standard benchmarks show consistent gains "
        "over strong baselines, and we discuss limitations and open questions."
    )
    data = {
        "id": entry.id,
        "title": title,
        "authors": [f"{rng.choice(FIRST)} {rng.choice(LAST)}" for _ in range(rng.randint(2, 5))],
        "venue": entry.venue,
        "year": entry.year,
        "decision": entry.decision,
        "ratings": list(entry.ratings),
        "abstract": abstract,
        "keywords": keywords,
        "links": {
            "forum": f"https://openreview.net/forum?id={entry.id}",
            "pdf": f"https://openreview.net/pdf?id={entry.id}",
        },
        "tags": tags,
        "notes": [
            {
                "lang": "zh" if rng.random() < 0.7 else "en",
                "zh": zh,
                "en": en,
                "source": "cli",
                "date": dt.date(2026, 11, 22),
            }
        ],
        "added": dt.date(2026, 11, 22),
    }
    if rng.random() < 0.2:
        other = rng.choice(base_ids)
        if other != entry.id:
            data["related"] = [{"id": other, "why": "相关的工作，也讨论了" + labels[0].zh}]
    return data


def base_records() -> dict[str, str]:
    """Canonical YAML text of one record per catalog paper, keyed by id."""
    taxonomy, problems, _ = load_taxonomy(REPO / "tags.yaml", "tags.yaml")
    if problems:
        raise SystemExit(f"tags.yaml has problems: {problems[0]}")
    keys = _tag_keys(taxonomy)
    catalog = load_catalog()
    ids = sorted(catalog)
    papers = [Paper.model_validate(_record(catalog[i], taxonomy, keys, ids)) for i in ids]
    # the citation keys 'papernotes fmt' gives records that have none
    cite = legacy_keys(papers)
    return {p.id: dump_record(p.model_copy(update={"key": cite[p.id]})) for p in papers}


def _letters(n: int) -> str:
    """0 -> 'a', 25 -> 'z', 26 -> 'aa' (the suffixes of colliding citation keys)."""
    out = ""
    n += 1
    while n:
        n, rem = divmod(n - 1, 26)
        out = chr(ord("a") + rem) + out
    return out


def _copy_key(key: str, used: set[str]) -> str:
    """A key for a copy of the record keyed ``key``: suffixed until no record has it."""
    n = 0
    while (key + _letters(n)).casefold() in used:
        n += 1
    used.add((key + _letters(n)).casefold())
    return key + _letters(n)


def build_kb(root: Path, count: int, base: dict[str, str] | None = None) -> Path:
    """A knowledge base of ``count`` records at ``root`` (replaced if it exists)."""
    base = base or base_records()
    if root.exists():
        shutil.rmtree(root)
    papers = root / "papers"
    papers.mkdir(parents=True)
    (root / "notes").mkdir()
    shutil.copyfile(REPO / "tags.yaml", root / "tags.yaml")
    ids = sorted(base)
    key_of = {i: KEY_LINE.search(base[i]).group(1) for i in ids}
    used = {k.casefold() for k in key_of.values()}
    written = 0
    copy = 0
    while written < count:
        for paper_id in ids:
            if written >= count:
                break
            new_id = paper_id if copy == 0 else f"{paper_id}_{copy}"
            text = base[paper_id]
            if copy:
                text = text.replace(f"id: {paper_id}\n", f"id: {new_id}\n", 1)
                text = text.replace(f"?id={paper_id}\n", f"?id={new_id}\n")
                key = key_of[paper_id]
                text = text.replace(f"\nkey: {key}\n", f"\nkey: {_copy_key(key, used)}\n", 1)
            (papers / f"{new_id}.yaml").write_text(text, encoding="utf-8")
            written += 1
        copy += 1
    return root
