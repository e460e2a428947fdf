"""BibTeX for LaTeX users: stable citation keys, escaped text, one entry per paper.

Keys look like ``sivaprasad2020tunability`` (first author's last name, year, first
significant title word). A paper without authors takes its first two significant
title words instead (``tunability2020optimizers``). When two papers would share a
key, the one added first keeps it and the others get ``a``, ``b``, ... in order of
(added date, id); keys are computed over the whole knowledge base, so a paper's key
does not depend on which papers are exported with it.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

from papernotes.model.record import Paper
from papernotes.text import show_controls

SMALL_WORDS = frozenset(
    "a an and are as at be by can do does for from how in into is it its of on or over "
    "the to towards toward via vs what when where which why with without".split()
)
_LATEX_SPECIAL = {
    "\\": r"\textbackslash{}",
    # BibTeX counts braces lexically: '\}' still closes the field, so braces in the text
    # are LaTeX commands with no brace of their own.
    "{": r"\textbraceleft{}",
    "}": r"\textbraceright{}",
    "&": r"\&",
    "%": r"\%",
    "$": r"\$",
    "#": r"\#",
    "_": r"\_",
    "~": r"\textasciitilde{}",
    "^": r"\textasciicircum{}",
}
_LATEX_RE = re.compile("|".join(re.escape(c) for c in _LATEX_SPECIAL))
_CONFERENCE = re.compile(
    r"\b(conference|workshop|symposium|proceedings|"
    r"ICLR|NeurIPS|NIPS|ICML|COLT|AISTATS|UAI|AAAI|IJCAI|CVPR|ICCV|ECCV|ACL|EMNLP|NAACL|KDD)\b",
    re.IGNORECASE,
)
BOOKTITLES = {
    "ICLR": "International Conference on Learning Representations",
    "NEURIPS": "Advances in Neural Information Processing Systems",
    "NIPS": "Advances in Neural Information Processing Systems",
    "ICML": "International Conference on Machine Learning",
    "COLT": "Conference on Learning Theory",
    "AISTATS": "International Conference on Artificial Intelligence and Statistics",
}


def latex_escape(text: str) -> str:
    """Text safe inside a BibTeX field: LaTeX specials escaped, whitespace on one line,
    control characters shown (then escaped), braces always balanced."""
    text = show_controls(" ".join(text.split()))
    return _LATEX_RE.sub(lambda m: _LATEX_SPECIAL[m.group()], text)


def _protect_case(escaped: str) -> str:
    """Brace words with capitals after the first letter (NTK, ResNet) so styles keep them."""

    def brace(match: re.Match) -> str:
        word = match.group()
        return "{" + word + "}" if any(c.isupper() for c in word[1:]) else word

    return re.sub(r"(?<![\\\w])[A-Za-z][A-Za-z0-9]*(?:-[A-Za-z0-9]+)*", brace, escaped)


def _ascii_words(text: str) -> list[str]:
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return [w.lower() for w in re.findall(r"[A-Za-z0-9]+", folded)]


def _last_name(author: str) -> str:
    name = author.split(",")[0] if "," in author else (author.split() or [""])[-1]
    return "".join(_ascii_words(name))


def base_key(paper: Paper) -> str:
    """The key before collision suffixes: ``lastnameYEARword`` (see the module docstring)."""
    words = [w for w in _ascii_words(paper.title) if w not in SMALL_WORDS] or _ascii_words(
        paper.title
    )
    year = str(paper.year) if paper.year else ""
    author = _last_name(paper.authors[0]) if paper.authors else ""
    if author:
        key = f"{author}{year}{words[0] if words else ''}"
    elif words:
        key = f"{words[0]}{year}{words[1] if len(words) > 1 else ''}"
    else:
        key = ""
    if not key or not key[0].isalpha():
        key = "paper" + re.sub(r"[^a-z0-9]", "", paper.id.lower()) + (year if not key else "")
    return key


def _suffix(n: int) -> str:
    """0 -> 'a', 25 -> 'z', 26 -> 'aa' ..."""
    out = ""
    n += 1
    while n:
        n, rem = divmod(n - 1, 26)
        out = chr(ord("a") + rem) + out
    return out


def citation_keys(papers: Iterable[Paper]) -> dict[str, str]:
    """Paper id -> unique key; the earliest-added paper keeps the plain key."""
    groups: dict[str, list[Paper]] = {}
    for paper in papers:
        groups.setdefault(base_key(paper), []).append(paper)
    taken = set(groups)
    keys: dict[str, str] = {}
    for base in sorted(groups):
        members = sorted(
            groups[base], key=lambda p: (p.added.isoformat() if p.added else "~", p.id)
        )
        keys[members[0].id] = base
        n = 0
        for paper in members[1:]:
            while base + _suffix(n) in taken:
                n += 1
            keys[paper.id] = base + _suffix(n)
            taken.add(keys[paper.id])
    return keys


def forum_url(paper: Paper) -> str | None:
    if "forum" in paper.links:
        return paper.links["forum"]
    if ":" not in paper.id:
        return f"https://openreview.net/forum?id={paper.id}"
    return None


def paper_url(paper: Paper) -> str | None:
    """The one link a citation carries: the forum, else the arXiv abstract, else any."""
    arxiv = arxiv_id(paper)
    url = forum_url(paper) or (f"https://arxiv.org/abs/{arxiv}" if arxiv else None)
    return url or paper.links.get("pdf") or next(iter(paper.canonical_links().values()), None)


def arxiv_id(paper: Paper) -> str | None:
    if paper.id.startswith("arxiv:"):
        return paper.id[len("arxiv:") :]
    url = paper.links.get("arxiv", "")
    found = re.search(r"arxiv\.org/(?:abs|pdf)/([^\s?#]+?)(?:v\d+)?(?:\.pdf)?$", url)
    return found.group(1) if found else None


def entry_kind(paper: Paper) -> str:
    """'conference', 'journal', 'arxiv' or 'misc': decides the entry type in both exports."""
    venue = paper.venue or ""
    if venue and "arxiv" not in venue.lower():
        if _CONFERENCE.search(venue) or re.fullmatch(r"[A-Z][A-Za-z]+ \d{4}", venue):
            return "conference"
        return "journal"
    if arxiv_id(paper):
        return "arxiv"
    return "misc"


def booktitle(venue: str) -> str:
    """'ICLR 2020' -> 'International Conference on Learning Representations'; else the venue."""
    head = venue.split()[0].upper() if venue.split() else ""
    return BOOKTITLES.get(head, venue)


def url_field(url: str) -> str:
    """URLs stay verbatim (biblatex treats them so) but braces, backslashes and spaces
    would break the entry, so those are percent-encoded."""
    return url.replace("\\", "%5C").replace("{", "%7B").replace("}", "%7D").replace(" ", "%20")


def entry(paper: Paper, key: str) -> str:
    kind = entry_kind(paper)
    fields: list[tuple[str, str]] = [("title", _protect_case(latex_escape(paper.title)))]
    if paper.authors:
        fields.append(("author", " and ".join(latex_escape(a) for a in paper.authors)))
    arxiv = arxiv_id(paper)
    if kind == "conference":
        entry_type = "inproceedings"
        fields.append(("booktitle", latex_escape(booktitle(paper.venue or ""))))
    elif kind == "journal":
        entry_type = "article"
        fields.append(("journal", latex_escape(paper.venue or "")))
    else:
        entry_type = "misc"
    if paper.year:
        fields.append(("year", str(paper.year)))
    if kind == "arxiv" and arxiv:
        fields += [
            ("eprint", arxiv),
            ("archiveprefix", "arXiv"),
            ("howpublished", latex_escape(f"arXiv:{arxiv}")),
        ]
    if paper.id.startswith("doi:"):
        fields.append(("doi", url_field(paper.id[len("doi:") :])))
    url = paper_url(paper)
    if url:
        fields.append(("url", url_field(url)))
    if paper.decision:
        venue = f"{paper.venue} " if paper.venue else ""
        fields.append(("note", latex_escape(f"{venue}decision: {paper.decision}")))
    if paper.tags:
        fields.append(("keywords", latex_escape(", ".join(paper.tags))))
    body = ",\n".join(f"  {name} = {{{value}}}" for name, value in fields)
    return f"@{entry_type}{{{key},\n{body}\n}}\n"


def to_bibtex(papers: list[Paper], keys: dict[str, str]) -> str:
    """Entries in the order given, separated by blank lines; '' for no papers."""
    return "\n".join(entry(p, keys[p.id]) for p in papers)
