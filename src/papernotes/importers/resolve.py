"""Parsed entries to paper drafts: titles, catalog facts, languages, resolved links.

Pure: takes parsed files, the taxonomy and a catalog lookup; touches no files.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from papernotes.errors import Problem
from papernotes.importers.parse import (
    Mention,
    ParsedFile,
    looks_like_title,
    paper_kind,
)
from papernotes.metadata.catalog import CatalogEntry, display_title, readable_title
from papernotes.model.taxonomy import Taxonomy
from papernotes.store.translations import detected_lang
from papernotes.text import detect_lang, one_line

# Kept upper-case (or in this spelling) when a title is re-cased; tags.yaml adds its own.
KNOWN_ACRONYMS = (
    "GAN WGAN NTK CNTK SGD GD ReLU LTH ADMM NMF ICA VAE ODE CNN RNN LSTM MLP BERT PCA SVD "
    "RL DRL GNN NLP MCMC KL ELBO PAC CIFAR MNIST GSNR MMC IWAE CNP NNGP 2D 3D"
).split()

Lookup = Callable[[str], CatalogEntry | None]


@dataclass
class NoteDraft:
    source: str
    text: str
    lang: str
    line: int


@dataclass
class LinkDraft:
    """An explicit relation found in the note of ``source`` on paper ``a``."""

    a: str
    b: str
    why: str
    source: str
    shown: str
    line: int
    label: str | None = None
    known: bool = True  # False: a bare id that is neither imported nor in the catalog
    only_if_known: bool = False  # an arXiv/DOI link: made only when the paper has a record


@dataclass
class PaperDraft:
    id: str
    title: str
    title_from: str  # "catalog", "link text", "title line", "catalog listing", "id"
    catalog: CatalogEntry | None = None
    notes: list[NoteDraft] = field(default_factory=list)
    refs: dict[str, list[Mention]] = field(default_factory=dict)  # by note source
    sections: list[str] = field(default_factory=list)
    first_seen: tuple[str, int] = ("", 0)

    @property
    def kind(self) -> str:
        return paper_kind(self.id)

    def links(self) -> dict[str, str]:
        """The links every record of this kind of paper has."""
        if self.kind == "openreview":
            return {
                "forum": f"https://openreview.net/forum?id={self.id}",
                "pdf": f"https://openreview.net/pdf?id={self.id}",
            }
        if self.kind == "arxiv":
            number = self.id.removeprefix("arxiv:")
            return {
                "pdf": f"https://arxiv.org/pdf/{number}",
                "arxiv": f"https://arxiv.org/abs/{number}",
            }
        if self.kind == "doi":
            return {"doi": "https://doi.org/" + self.id.removeprefix("doi:")}
        return {}


@dataclass
class Resolution:
    papers: dict[str, PaperDraft] = field(default_factory=dict)
    links: list[LinkDraft] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)


def acronym_spellings(taxonomy: Taxonomy | None = None) -> dict[str, str]:
    """Upper-case form -> spelling for words a title must not lower-case."""
    words = list(KNOWN_ACRONYMS)
    if taxonomy is not None:
        for name, tag in taxonomy.tags.items():
            words.extend(
                w for w in (name, tag.en, *tag.aliases) if re.fullmatch(r"[A-Z0-9]{2,6}", w)
            )
    return {w.upper(): w for w in words}


def fix_acronyms(title: str, spellings: dict[str, str]) -> str:
    """'Sgd Learns One-layer Networks in Wgans' -> 'SGD Learns One-layer Networks in WGANs'."""

    def fix(match: re.Match) -> str:
        word = match.group()
        upper = word.upper()
        if upper in spellings:
            return spellings[upper]
        if upper.endswith("S") and upper[:-1] in spellings and len(upper) > 2:
            return spellings[upper[:-1]] + "s"
        return word

    return re.sub(r"[A-Za-z0-9]+", fix, title)


def normalize_title(hint: str, spellings: dict[str, str]) -> str:
    """A title as pasted (often ALL CAPS from a PDF) in readable case.

    Mostly-upper-case titles go through ``readable_title``; words written in mixed
    case on purpose (BatchEnsemble, ProxSGD) and one-word names (LAMB) are kept.
    """
    text = one_line(hint)
    words = [w for w in text.split() if any(c.isalpha() for c in w)]
    shouting = sum(1 for w in words if len(w) > 1 and not any(c.islower() for c in w))
    if len(words) < 2 or shouting < 0.6 * len(words):
        return text
    keys = set(spellings) | {k + "S" for k in spellings}
    keys |= set(re.findall(r"\(([A-Z][A-Z0-9]{1,7})\)", text))  # "(GIN)" names an acronym
    cased = readable_title(text, keys)
    before, after = re.split(r"(\s+)", text), re.split(r"(\s+)", cased)
    if len(before) == len(after):
        after = [b if _mixed_case(b) else a for b, a in zip(before, after, strict=True)]
    return fix_acronyms("".join(after), spellings)


def _mixed_case(word: str) -> bool:
    letters = [c for c in word if c.isalpha()]
    return any(c.islower() for c in letters) and any(c.isupper() for c in letters[1:])


def choose_title(
    paper_id: str,
    hints: list[tuple[str, str]],
    entry: CatalogEntry | None,
    spellings: dict[str, str],
    weak: list[str] | None = None,
) -> tuple[str, str]:
    """(title, where it came from): accepted-list catalog title, else a hint from the
    notes, else the catalog listing, else the first words of the note (``weak``),
    else the id itself."""
    if entry is not None and entry.title_source == "accepted-list":
        return one_line(entry.title), "catalog"
    for hint, kind in hints:
        # A nickname ("ALBERT", "Tunability") does not beat the catalog's listing title.
        if hint.strip() and (entry is None or kind == "title line" or len(hint.split()) >= 4):
            return normalize_title(hint, spellings), kind
    if entry is not None:
        return fix_acronyms(one_line(display_title(entry)), spellings), "catalog listing"
    for hint in weak or []:
        return normalize_title(hint, spellings), "note"
    return paper_id, "id"


def note_language(text: str) -> str:
    """The language the note was written in; a pasted upper-case title does not count.
    Where ``validate`` sees a clear language (its own rule, by words), that one: a fresh
    import never fails its check "marked lang=en but reads as Chinese"."""
    own = "\n".join(line for line in text.splitlines() if not looks_like_title(line.strip()))
    own = own if own.strip() else text
    return detected_lang(own) or detect_lang(own)


def resolve(
    files: list[ParsedFile], lookup: Lookup, taxonomy: Taxonomy | None = None
) -> Resolution:
    """Merge the entries of every file by paper id and resolve 'the one above' links."""
    out = Resolution()
    spellings = acronym_spellings(taxonomy)
    hints: dict[str, list[tuple[str, str]]] = {}
    weak: dict[str, list[str]] = {}
    ids = {entry.paper_id for parsed in files for entry in parsed.entries}
    for parsed in files:
        previous: str | None = None
        seen_here: dict[str, int] = {}
        for entry in parsed.entries:
            pid = entry.paper_id
            draft = out.papers.get(pid)
            if draft is None:
                catalog = lookup(pid) if paper_kind(pid) == "openreview" else None
                draft = out.papers[pid] = PaperDraft(pid, pid, "id", catalog)
                draft.first_seen = (parsed.shown, entry.line)
            if entry.title_hint:
                hints.setdefault(pid, []).append((entry.title_hint, "link text"))
            if entry.title_line:
                hints.setdefault(pid, []).append((entry.title_line, "title line"))
            if entry.note_title and entry.kind != "openreview":
                # arXiv and DOI papers have no offline catalog: the line names them.
                weak.setdefault(pid, []).append(entry.note_title)
            if entry.section and entry.section not in draft.sections:
                draft.sections.append(entry.section)
            if pid in seen_here:
                out.warnings.append(
                    Problem(
                        parsed.shown,
                        f"{pid} is listed again (first at line {seen_here[pid]}); "
                        "the two notes are joined",
                        entry.line,
                    )
                )
            seen_here.setdefault(pid, entry.line)
            if entry.note:
                _add_note(draft, parsed.source, entry.note, entry.line)
            for ref in entry.refs:
                refs = draft.refs.setdefault(parsed.source, [])
                if ref.url not in {r.url for r in refs}:
                    refs.append(ref)
            for rel in entry.relations:
                target = rel.target if rel.target is not None else previous
                if rel.target is None and entry.follows_unparsed:
                    out.warnings.append(
                        Problem(
                            parsed.shown,
                            f"'{rel.why}' refers to the entry above, which could not be read; "
                            "no link made",
                            rel.line,
                        )
                    )
                elif target is None:
                    out.warnings.append(
                        Problem(
                            parsed.shown,
                            f"'{rel.why}' refers to the entry above, but {pid} is the first "
                            "entry; no link made",
                            rel.line,
                        )
                    )
                elif target != pid:
                    known = not rel.bare_id or target in ids or lookup(target) is not None
                    out.links.append(
                        LinkDraft(
                            pid,
                            target,
                            rel.why,
                            parsed.source,
                            parsed.shown,
                            rel.line,
                            rel.label,
                            known,
                            rel.only_if_known,
                        )
                    )
            previous = pid
    for pid, draft in out.papers.items():
        draft.title, draft.title_from = choose_title(
            pid, hints.get(pid, []), draft.catalog, spellings, weak.get(pid)
        )
    return out


def _add_note(draft: PaperDraft, source: str, text: str, line: int) -> None:
    for note in draft.notes:
        if note.source == source:
            note.text = f"{note.text}\n\n{text}"
            note.lang = note_language(note.text)
            return
    draft.notes.append(NoteDraft(source, text, note_language(text), line))
