"""BibTeX for LaTeX users: stored citation keys, escaped text, one entry per paper.

Keys come from each record's ``key:`` field (see ``papernotes.model.citekey``), so a
paper's key depends neither on which papers are exported with it nor on later edits.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from papernotes.model.citekey import base_key, citation_keys
from papernotes.text import show_controls

if TYPE_CHECKING:
    from papernotes.model.record import Paper

__all__ = ["base_key", "citation_keys", "entry", "latex_escape", "to_bibtex"]

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
_LATEX_TABLE = str.maketrans(_LATEX_SPECIAL)  # each special is one character
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
    return show_controls(" ".join(text.split())).translate(_LATEX_TABLE)


_WORD = re.compile(r"(?<![\\\w])[A-Za-z][A-Za-z0-9]*(?:-[A-Za-z0-9]+)*")


def _brace(match: re.Match) -> str:
    word = match.group()
    rest = word[1:]  # ASCII letters, digits and hyphens: a capital is what lower() changes
    return "{" + word + "}" if rest != rest.lower() else word


def _protect_case(escaped: str) -> str:
    """Brace words with capitals after the first letter (NTK, ResNet) so styles keep them."""
    return _WORD.sub(_brace, escaped)


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
    """'conference', 'journal', 'submission', 'arxiv' or 'misc': the entry type in both exports.

    A 'submission' was sent to a venue and not (or not yet) accepted there: rejected,
    withdrawn, or an OpenReview forum with no decision. It is cited as what it is, a
    manuscript submitted to the venue, never as a paper in its proceedings.
    """
    venue = paper.venue or ""
    if venue and "arxiv" not in venue.lower():
        if is_submission(paper):
            return "submission"
        if _CONFERENCE.search(venue) or re.fullmatch(r"[A-Z][A-Za-z]+ \d{4}", venue):
            return "conference"
        return "journal"
    if arxiv_id(paper):
        return "arxiv"
    return "misc"


def is_submission(paper: Paper) -> bool:
    """Not accepted at its venue: a decision other than 'Accept ...', or none on OpenReview."""
    if paper.decision:
        return not paper.decision.strip().lower().startswith("accept")
    return ":" not in paper.id  # an OpenReview forum whose decision is unknown


def submitted_to(paper: Paper) -> str:
    """'Submitted to ICLR 2020', as OpenReview names the venue of a rejected submission."""
    return f"Submitted to {paper.venue}"


def decision_text(paper: Paper) -> str | None:
    """'ICLR 2020 decision: Reject': kept in a field bibliography styles do not print."""
    if not paper.decision:
        return None
    return f"{paper.venue + ' ' if paper.venue else ''}decision: {paper.decision}"


_NAME_SUFFIX = re.compile(r"^(?:jr|sr|[ivx]+)\.?$", re.IGNORECASE)


def name_parts(author: str) -> tuple[str, str, str] | None:
    """(given, family, suffix) of a name written with commas, None when there are none.

    'Smith, Jr., John' and 'John Smith, Jr.' -> ('John', 'Smith', 'Jr.');
    'Smith, John' -> ('John', 'Smith', '').
    """
    if "," not in author:
        return None
    parts = [p.strip() for p in " ".join(author.split()).split(",")]
    if len(parts) == 3:
        return parts[2], parts[0], parts[1]
    if len(parts) == 2 and _NAME_SUFFIX.match(parts[1]) and " " in parts[0]:
        given, _, family = parts[0].rpartition(" ")
        return given, family, parts[1]
    if len(parts) == 2:
        return parts[1], parts[0], ""
    return None


def bibtex_name(author: str) -> str:
    """A name in a form BibTeX splits right: 'John Smith, Jr.' -> 'Smith, Jr., John'."""
    parts = name_parts(author)
    if parts is None:
        return author
    given, family, suffix = parts
    return ", ".join(p for p in (family, suffix, given) if p) if suffix else f"{family}, {given}"


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
        fields.append(("author", " and ".join(latex_escape(bibtex_name(a)) for a in paper.authors)))
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
    if kind == "submission":
        fields.append(("howpublished", latex_escape(submitted_to(paper))))
    if kind == "arxiv" and arxiv:
        # The id once, in eprint (biblatex and natbib styles print it from there).
        fields += [("howpublished", "arXiv preprint"), ("eprint", arxiv)]
        fields.append(("archiveprefix", "arXiv"))
    if paper.id.startswith("doi:"):
        fields.append(("doi", url_field(paper.id[len("doi:") :])))
    url = paper_url(paper)
    if url:
        fields.append(("url", url_field(url)))
    decision = decision_text(paper)
    if decision:
        fields.append(("annote", latex_escape(decision)))
    if paper.tags:
        fields.append(("keywords", latex_escape(", ".join(paper.tags))))
    body = ",\n".join(f"  {name} = {{{value}}}" for name, value in fields)
    return f"@{entry_type}{{{key},\n{body}\n}}\n"


def to_bibtex(papers: list[Paper], keys: dict[str, str]) -> str:
    """Entries in the order given, separated by blank lines; '' for no papers."""
    return "\n".join(entry(p, keys[p.id]) for p in papers)


def export(job) -> str:
    """``papernotes export -f bibtex`` (see papernotes.export.EXPORTERS)."""
    return to_bibtex(job.papers, job.keys)
