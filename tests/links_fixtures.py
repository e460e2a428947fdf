"""A small knowledge base for the links tests (related, notes/, topics, stats, graph).

Built so each ranking rule has exactly one explanation:
- TARGET links LINKED explicitly; LINKED shares no tag and no topic word with it;
- SAMETAGS carries both of TARGET's tags and similar words (but no link);
- RARE shares only the rare tag NTK, COMMON only the common tag theory;
- SPECTRAL and EIGEN share distinctive words (spectrum, eigenvalues) and nothing else.
"""

from __future__ import annotations

from pathlib import Path

from tests.conftest import write

TAGS = """\
tags:
  theory:
    en: Deep learning theory
    zh: 深度学习理论
    description: Why deep networks train and generalise.
  NTK:
    en: Neural tangent kernel
    zh: 神经正切核
    aliases:
    - neural tangent kernel
    - CNTK
    parent: theory
    description: Infinite-width limit of training.
  optimization:
    en: Optimization
    zh: 优化
    description: Training algorithms.
  optimizer-tuning:
    en: Optimizer tuning
    zh: 优化器调参
    parent: optimization
    description: How much tuning optimizers need.
  LTH:
    en: Lottery ticket hypothesis
    zh: 彩票假设
    aliases:
    - lottery ticket
    description: Sparse trainable subnetworks.
  GAN:
    en: Generative adversarial networks
    zh: 生成对抗网络
    description: Generator and discriminator trained against each other.
"""


def record(pid: str, title: str, tags=(), note: str | None = None, related=(), **extra) -> str:
    lines = [f"id: {pid}", f"title: {title!r}" if ":" in title else f"title: {title}"]
    for key, value in extra.items():
        if isinstance(value, list):
            lines.append(f"{key}:")
            lines.extend(f"- {v}" for v in value)
        else:
            lines.append(f"{key}: {value}")
    if tags:
        lines.append("tags:")
        lines.extend(f"- {t}" for t in tags)
    if note:
        lines += [
            "notes:",
            "- lang: en",
            f"  en: {note!r}",
            "  source: cli",
            "  date: 2026-01-02",
        ]
    if related:
        lines.append("related:")
        for rid, why in related:
            lines += [f"- id: {rid}", f"  why: {why}"]
    return "\n".join(lines) + "\n"


PAPERS = {
    "TargetPaper1": record(
        "TargetPaper1",
        "Wide network training dynamics",
        tags=["NTK", "theory"],
        note="Kernel regime analysis of wide network training dynamics.",
        related=[("LinkedPaper1", "very related, also compares tuning effort")],
        decision="Accept (Poster)",
        ratings=[6, 8],
        added="2026-01-02",
    ),
    "LinkedPaper1": record(
        "LinkedPaper1",
        "Budgets for optimizer search",
        tags=["optimizer-tuning"],
        note="Counting grid points for Adam versus SGD.",
        decision="Reject",
        ratings=[3, 3],
        added="2026-01-05",
    ),
    "SameTags001": record(
        "SameTags001",
        "Kernel regime of wide network training",
        tags=["NTK", "theory"],
        note="Dynamics of training wide networks in the kernel regime, analysis.",
        decision="Accept (Oral)",
        ratings=[8, 8],
        added="2026-01-03",
    ),
    "RarePaper01": record("RarePaper01", "Alpha", tags=["NTK"], note="Bees."),
    "CommonPaper1": record("CommonPaper1", "Beta", tags=["theory"], note="Wasps."),
    "Filler00001": record("Filler00001", "Gamma", tags=["theory"], note="Ants."),
    "Filler00002": record("Filler00002", "Delta", tags=["theory"], note="Moths."),
    "Filler00003": record("Filler00003", "Epsilon", tags=["theory", "GAN"], note="Crows."),
    "SpectralPap": record(
        "SpectralPap",
        "Spectrum of eigenvalues in shallow models",
        tags=["LTH"],
        note="Eigenvalues spectrum decay; spectrum of eigenvalues explains pruning.",
    ),
    "EigenPaper1": record(
        "EigenPaper1",
        "Eigenvalues spectrum for ticket pruning",
        note="The eigenvalues spectrum again. Close to GraSP: Picking Winning Tickets, see SpectralPap.",
    ),
    "GraspPaper1": record(
        "GraspPaper1",
        "GraSP: Picking Winning Tickets Before Training",
        tags=["LTH"],
        note="Gradient signal preservation.",
    ),
}


NOTE = """\
# Wide networks and the NTK

English. The kernel view #NTK starts with [[TargetPaper1]], which is linked to
[[LinkedPaper1]] for tuning. See also [[SameTags001|the kernel regime paper]].

`[[NotALink0001]]` in code is no link, and neither is this:

```
[[AlsoNotLink1]] #nosuchtag
```

## 中文

宽网络 #NTK 的论文：[[TargetPaper1]]。
"""


def make_links_kb(root: Path, note: str | None = NOTE) -> Path:
    (root / "papers").mkdir(parents=True, exist_ok=True)
    (root / "notes").mkdir(exist_ok=True)
    write(root / "tags.yaml", TAGS)
    for pid, text in PAPERS.items():
        (root / "papers" / f"{pid}.yaml").write_text(text, encoding="utf-8")
    if note is not None:
        (root / "notes" / "wide.md").write_text(note, encoding="utf-8")
    return root
