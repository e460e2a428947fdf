"""Knowledge bases for the search and index tests (helpers only: no tests here)."""

from __future__ import annotations

import os
from pathlib import Path

import yaml

from tests.conftest import TAGS

NOTE_DATE = "2026-11-22"

# The taxonomy of tests/conftest.py plus a child tag, so tag filters include children.
TAGS_WITH_CHILD = (
    TAGS
    + """\
  wide-networks:
    en: Wide networks
    zh: 宽网络
    aliases:
    - infinite width
    parent: deep-learning-theory
    description: Networks in the infinite-width limit.
  GAN:
    en: Generative adversarial networks
    zh: 生成对抗网络
    description: Adversarial generative models.
"""
)

PAPERS = {
    "NtkPaper01": {
        "title": "Neural Tangent Kernel Dynamics of Wide Networks",
        "venue": "ICLR 2020",
        "year": 2020,
        "decision": "Accept (Poster)",
        "authors": ["Ada Lovelace"],
        "tags": ["NTK"],
        "notes": [
            {
                "lang": "zh",
                "zh": "基于NTK理论分析宽网络的收敛性，值得一读。",
                "en": "Analyses the convergence of wide networks with NTK theory; worth reading.",
            }
        ],
    },
    "CntkPaper2": {
        "title": "Convolutional Kernels on Small Data",
        "venue": "NeurIPS 2019",
        "year": 2019,
        "decision": "Reject",
        "tags": [],
        "notes": [{"lang": "en", "en": "CNTK results on CIFAR-10 beat a ResNet."}],
    },
    "LthPaper03": {
        "title": "Winning Tickets Early in Training",
        "venue": "ICLR 2020",
        "year": 2020,
        "decision": "Accept (Talk)",
        "tags": ["LTH"],
        "notes": [{"lang": "zh", "zh": "彩票假设的新实验，剪枝之后重新训练。"}],
        "related": [{"id": "NtkPaper01", "why": "都讨论了初始化的作用"}],
    },
    "OptPaper04": {
        "title": "Tuning Adam and SGD",
        "venue": "ICLR 2020",
        "year": 2020,
        "decision": "Reject",
        "abstract": "We compare optimizers under a fixed tuning budget.",
        "keywords": ["hyperparameter tuning"],
        "tags": ["optimization"],
        "notes": [
            {"lang": "en", "en": "Adam is easier to tune than SGD.", "zh": "Adam比SGD更容易调参。"}
        ],
    },
    "GanPaper05": {
        "title": "Stable GANs with Spectral Tricks",
        "year": 2018,
        "decision": "Withdrawn",
        "tags": ["GAN"],
        "notes": [{"lang": "en", "en": "Training GANs with duality gap; convergence is shown."}],
    },
    "WidePaper6": {
        "title": "Feynman Diagrams for Finite Networks",
        "year": 2020,
        "tags": ["wide-networks"],
        "notes": [
            {
                "lang": "zh",
                "zh": "用费曼图计算宽网络的修正项。",
                "en": "Feynman diagrams for corrections.",
            }
        ],
    },
}


def record(paper_id: str, fields: dict) -> str:
    data = {"id": paper_id, **fields}
    notes = []
    for note in data.get("notes", []):
        notes.append({**note, "source": "cli", "date": NOTE_DATE})
    if notes:
        data["notes"] = notes
    if not data.get("tags"):
        data.pop("tags", None)
    text = yaml.safe_dump(data, allow_unicode=True, sort_keys=False)
    return text.replace(f"date: '{NOTE_DATE}'", f"date: {NOTE_DATE}")


def write_record(root: Path, paper_id: str, fields: dict) -> Path:
    path = root / "papers" / f"{paper_id}.yaml"
    path.write_text(record(paper_id, fields), encoding="utf-8")
    return path


def make_kb(root: Path, papers: dict | None = None) -> Path:
    (root / "papers").mkdir(parents=True, exist_ok=True)
    (root / "notes").mkdir(exist_ok=True)
    (root / "tags.yaml").write_text(TAGS_WITH_CHILD, encoding="utf-8")
    for paper_id, fields in (PAPERS if papers is None else papers).items():
        write_record(root, paper_id, fields)
    age(root)
    return root


def age(root: Path, seconds: int = 10) -> None:
    """Date every file back, as files not edited just now are: the index re-reads files
    changed within the last two seconds ("racy" files, as git calls them) every time."""
    for path in [root / "tags.yaml", *(root / "papers").iterdir()]:
        st = path.stat()
        os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns - seconds * 1_000_000_000))
