"""papernotes export: BibTeX read back by bibtexparser, CSL-JSON rendered by citeproc-py,
the Markdown reading list, JSON/YAML records, selection rules and failures."""

from __future__ import annotations

import json
import re
from pathlib import Path

import bibtexparser
import pytest
import yaml
from bibtexparser.middlewares import LatexDecodingMiddleware
from citeproc import (
    Citation,
    CitationItem,
    CitationStylesBibliography,
    CitationStylesStyle,
    formatter,
)
from citeproc.source.json import CiteProcJSON
from hypothesis import given, settings
from hypothesis import strategies as st

from papernotes.export.bibtex import base_key, citation_keys, latex_escape, to_bibtex
from papernotes.export.markdown import md_escape
from papernotes.model.record import Paper

from .conftest import Runner, write

SPECIAL_TITLE = "Kernels & 100% of {Wide} Nets: #1 Rank for d_x ~ 收敛 $\\alpha$^2"

EXTRA = {
    "B1xjacot01.yaml": f"""\
id: B1xjacot01
title: "{SPECIAL_TITLE.replace(chr(92), chr(92) * 2)}"
authors:
- Arthur Jacot
- Franck Gabriel & Co
venue: ICLR 2020
year: 2020
decision: Accept (Spotlight)
tags:
- NTK
added: 2026-01-01
""",
    "B1xjacot02.yaml": """\
id: B1xjacot02
title: Kernels Again, the Second Paper
authors:
- Arthur Jacot
venue: ICLR 2020
year: 2020
tags:
- NTK
added: 2026-02-01
""",
    "arxiv%3A1805.08651.yaml": """\
id: arxiv:1805.08651
title: 关于收敛的研究 Convergence of Wide Networks
authors:
- 张三
- Émile Brontë
year: 2018
tags:
- NTK
- LTH
notes:
- lang: zh
  zh: 收敛很快。<script>alert(1)</script> *不是* 强调
  source: cli
  date: 2026-03-01
""",
    "doi%3A10.1000%2Fxyz.yaml": """\
id: doi:10.1000/xyz
title: A Journal Paper on Optimization
authors:
- Doe, Jane
venue: Journal of Machine Learning Research
year: 2019
tags:
- optimization
""",
}


@pytest.fixture
def ekb(kb):
    for name, text in EXTRA.items():
        write(kb / "papers" / name, text)
    return kb


@pytest.fixture
def erun(ekb) -> Runner:
    return Runner(ekb)


ALL_IDS = {
    "H1gEP6NFwr",
    "HygrAR4tPS",
    "B1xjacot01",
    "B1xjacot02",
    "arxiv:1805.08651",
    "doi:10.1000/xyz",
}


def parse_bib(text: str):
    library = bibtexparser.parse_string(text, append_middleware=[LatexDecodingMiddleware()])
    assert library.failed_blocks == []
    return library


def fields(entry) -> dict[str, str]:
    return {name: f.value for name, f in entry.fields_dict.items()}


def test_bibtex_parses_with_every_paper_and_unique_keys(erun):
    result = erun("export", "--format", "bibtex")
    assert result.exit_code == 0, result.stderr
    library = parse_bib(result.stdout)
    assert len(library.entries) == len(ALL_IDS)
    keys = [e.key for e in library.entries]
    assert len(set(keys)) == len(keys)
    urls = " ".join(fields(e).get("url", "") for e in library.entries)
    for paper_id in ("H1gEP6NFwr", "HygrAR4tPS", "B1xjacot01", "B1xjacot02"):
        assert f"forum?id={paper_id}" in urls
    by_key = {e.key: e for e in library.entries}
    assert by_key["jacot2020kernels"].entry_type == "inproceedings"
    # No decision on an OpenReview forum: a submission, not a paper in the proceedings.
    undecided = by_key["jacot2020kernelsa"]
    assert undecided.entry_type == "misc"
    assert fields(undecided)["howpublished"] == "Submitted to ICLR 2020"
    assert "booktitle" not in fields(undecided)
    jacot = fields(by_key["jacot2020kernels"])
    assert jacot["booktitle"] == "International Conference on Learning Representations"
    assert jacot["year"] == "2020"
    assert jacot["annote"] == "ICLR 2020 decision: Accept (Spotlight)"
    assert "note" not in jacot  # every style prints note; the decision is data
    rejected = fields(by_key["tunability2020optimizers"])
    assert by_key["tunability2020optimizers"].entry_type == "misc"
    assert rejected["howpublished"] == "Submitted to ICLR 2020"
    assert rejected["annote"] == "ICLR 2020 decision: Reject"
    assert jacot["url"] == "https://openreview.net/forum?id=B1xjacot01"
    arxiv = by_key["zhang2018"] if "zhang2018" in by_key else None
    assert arxiv is None  # a CJK name has no ASCII letters: the key comes from the title
    arxiv = next(e for e in library.entries if fields(e).get("eprint") == "1805.08651")
    assert arxiv.entry_type == "misc" and fields(arxiv)["archiveprefix"] == "arXiv"
    # The id once: in eprint, not again in howpublished.
    assert fields(arxiv)["howpublished"] == "arXiv preprint"
    journal = next(e for e in library.entries if fields(e).get("doi") == "10.1000/xyz")
    assert journal.entry_type == "article" and journal.key == "doe2019journal"


def test_bibtex_special_characters_survive(erun):
    raw = erun("export", "--ids", "B1xjacot01", "arxiv:1805.08651").stdout
    assert "\\textasciicircum{}2" in raw
    # Braces in the text are LaTeX's brace commands: BibTeX would close the field on '\}'.
    assert "\\textbraceleft{}{Wide}\\textbraceright{}" in raw or (
        "\\textbraceleft{}Wide\\textbraceright{}" in raw
    )
    library = parse_bib(raw)
    first, second = (fields(e) for e in library.entries)
    title = first["title"]
    for piece in ("&", "100%", "#1", "d_x", "~", "收敛", "Wide", "$\\alpha$"):
        assert piece in title, (piece, title)
    assert "ˆ2" in title  # pylatexenc's reading of \\textasciicircum
    assert "Franck Gabriel & Co" in first["author"]
    assert second["title"].startswith("关于收敛的研究")
    assert "Émile Brontë" in second["author"] and "张三" in second["author"]


def test_bibtex_escaping_is_balanced_latex():
    escaped = latex_escape("a{b}c\\d & 50% $x$ #1 a_b ~ ^")
    assert escaped == (
        r"a\textbraceleft{}b\textbraceright{}c\textbackslash{}d \& 50\% \$x\$ \#1 a\_b "
        r"\textasciitilde{} \textasciicircum{}"
    )
    # Braces stay balanced whatever the input, counted as BibTeX counts them (a backslash
    # does not escape a brace), so one bad title cannot break the file.
    depth = 0
    for char in escaped:
        depth += {"{": 1, "}": -1}.get(char, 0)
        assert depth >= 0
    assert depth == 0


def test_keys_are_stable_and_independent_of_the_selection(erun):
    everything = parse_bib(erun("export").stdout)
    again = parse_bib(erun("export").stdout)
    assert [e.key for e in everything.entries] == [e.key for e in again.entries]
    alone = parse_bib(erun("export", "B1xjacot02").stdout)
    assert [e.key for e in alone.entries] == ["jacot2020kernelsa"]
    csl = json.loads(erun("export", "-f", "csljson", "B1xjacot02").stdout)
    assert [item["id"] for item in csl] == ["jacot2020kernelsa"]


def test_key_rules():
    def paper(**kw):
        return Paper.model_validate({"id": "H1gEP6NFwr", "title": "On the Tunability", **kw})

    assert (
        base_key(paper(authors=["Prabhu Teja Sivaprasad"], year=2020)) == "sivaprasad2020tunability"
    )
    assert base_key(paper(title="On the Tunability of Optimizers", year=2020)) == (
        "tunability2020optimizers"
    )
    assert base_key(paper(title="收敛", authors=["张三"])) == "paperh1gep6nfwr"
    same = [
        paper(id=f"Id{n}xxxx", authors=["A Smith"], year=2020, title="Deep nets") for n in range(3)
    ]
    keys = citation_keys(same)
    assert sorted(keys.values()) == ["smith2020deep", "smith2020deepa", "smith2020deepb"]
    assert citation_keys(reversed(same)) == keys


def test_csljson_renders_with_citeproc(erun):
    result = erun("export", "-f", "csljson")
    assert result.exit_code == 0
    items = json.loads(result.stdout)
    assert {i["URL"] for i in items if "openreview" in i.get("URL", "")} >= {
        "https://openreview.net/forum?id=H1gEP6NFwr"
    }
    source = CiteProcJSON(items)
    style = CitationStylesStyle("harvard-cite-them-right", validate=False)
    bibliography = CitationStylesBibliography(style, source, formatter.plain)
    for item in items:
        bibliography.register(Citation([CitationItem(item["id"])]))
    rendered = [str(entry) for entry in bibliography.bibliography()]
    assert len(rendered) == len(ALL_IDS)
    text = "\n".join(rendered)
    for item in items:
        assert item["title"] in text
    assert "Jacot, A." in text and "Doe, J." in text and "张三" in text
    conference = next(i for i in items if i["id"] == "jacot2020kernels")
    assert conference["type"] == "paper-conference"
    assert conference["author"][0] == {"family": "Jacot", "given": "Arthur"}


def test_markdown_groups_by_tag_in_the_chosen_language(erun):
    en = erun("export", "-f", "markdown", "--tag", "deep-learning-theory").stdout
    assert en.startswith("# Reading list\n")
    assert "## Neural tangent kernel (NTK)" in en
    assert "## Lottery ticket hypothesis (LTH)" not in en  # grouped within the chosen tag
    assert en.count("### ") == 3
    zh = erun("export", "-f", "markdown", "--lang", "zh").stdout
    assert zh.startswith("# 阅读清单\n")
    assert "## 神经正切核 (NTK)" in zh and "## 优化 (optimization)" in zh
    assert '> 略神奇. 如何比较"easy to tune"?' in zh
    assert "Rather remarkable" not in zh
    # The arXiv paper is in full under NTK, and a link under LTH.
    lth = zh.split("## 彩票假设 (LTH)")[1]
    assert "- [关于收敛的研究 Convergence of Wide Networks](#" in lth
    # A note without an English text shows its original, marked as such.
    en_all = erun("export", "-f", "markdown").stdout
    assert "not yet translated; original in Chinese" in en_all
    # User text cannot become HTML or emphasis.
    assert "\\<script\\>alert(1)\\</script\\>" in en_all and "<script>" not in en_all
    assert "\\*不是\\*" in en_all


def test_json_and_yaml_are_the_records(erun):
    data = json.loads(erun("export", "-f", "json", "--tag", "ntk").stdout)
    assert {d["id"] for d in data} == {"B1xjacot01", "B1xjacot02", "arxiv:1805.08651"}
    assert json.loads(erun("export", "--json", "--tag", "ntk").stdout) == data
    records = yaml.safe_load(erun("export", "-f", "yaml", "H1gEP6NFwr").stdout)
    assert records[0]["notes"][0]["zh"].startswith("略神奇")
    assert str(records[0]["added"]) == "2026-11-22"


def test_query_selects_like_search(erun):
    data = json.loads(erun("export", "-f", "json", "收敛").stdout)
    assert {d["id"] for d in data} == {"arxiv:1805.08651", "B1xjacot01"}
    data = json.loads(erun("export", "-f", "json", "收敛", "convergence").stdout)
    assert [d["id"] for d in data] == ["arxiv:1805.08651"]
    data = json.loads(erun("export", "-f", "json", "tunability").stdout)
    assert [d["id"] for d in data] == ["H1gEP6NFwr"]


def test_query_uses_the_search_syntax(erun):
    def ids(*args):
        result = erun("export", "-f", "json", *args)
        assert result.exit_code == 0, result.stderr
        return {d["id"] for d in json.loads(result.stdout)}

    assert ids("jacot") == {"B1xjacot01", "B1xjacot02"}
    assert ids("jacot", "-again") == {"B1xjacot01"}  # a negated word, not an option
    assert ids("tag:ntk", "year:2018") == {"arxiv:1805.08651"}
    assert ids('"second paper"') == {"B1xjacot02"}
    assert ids("jacot", "--tag", "optimization") == set()


def test_ids_given_keep_their_order_and_accept_urls(erun):
    result = erun(
        "export", "-f", "json", "HygrAR4tPS", "https://openreview.net/forum?id=H1gEP6NFwr"
    )
    assert [d["id"] for d in json.loads(result.stdout)] == ["HygrAR4tPS", "H1gEP6NFwr"]


def test_tag_by_alias_includes_children(erun):
    data = json.loads(erun("export", "-f", "json", "--tag", "深度学习理论").stdout)
    assert {d["id"] for d in data} == {"B1xjacot01", "B1xjacot02", "arxiv:1805.08651"}


@pytest.mark.parametrize(
    "fmt,empty",
    [
        ("bibtex", ""),
        ("csljson", "[]\n"),
        ("json", "[]\n"),
        ("yaml", "[]\n"),
        ("markdown", "# Reading list\n\nNo papers.\n"),
    ],
)
def test_empty_selection_is_valid_and_exit_0(run_empty, fmt, empty):
    result = run_empty("export", "-f", fmt)
    assert result.exit_code == 0
    assert result.stdout == empty
    if fmt == "bibtex":
        assert parse_bib(result.stdout).entries == []
    assert "export is empty" in result.stderr


def test_query_without_match_is_empty_not_an_error(erun):
    result = erun("export", "-f", "csljson", "zzzqqq")
    assert result.exit_code == 0 and json.loads(result.stdout) == []


def test_output_file_is_written_atomically(erun, tmp_path):
    target = tmp_path / "out" / "refs.bib"
    target.parent.mkdir()
    target.write_text("old", encoding="utf-8")
    result = erun("export", "--tag", "NTK", "-o", str(target))
    assert result.exit_code == 0 and result.stdout == ""
    assert "Exported 3 paper(s)" in result.stderr
    assert len(parse_bib(target.read_text(encoding="utf-8")).entries) == 3
    assert [p.name for p in target.parent.iterdir()] == ["refs.bib"]  # no temp files left


@pytest.mark.parametrize(
    "args,code,message",
    [
        (["--tag", "ntk2"], 3, "Error: unknown tag 'ntk2' (did you mean 'NTK'?)"),
        (["--ids", "H1gEP6NFwR"], 3, "Error: no paper 'H1gEP6NFwR' (did you mean 'H1gEP6NFwr'?)"),
        (["arxiv:9999.99999"], 3, "Error: no paper 'arxiv:9999.99999'"),
        (["--ids", "../etc/passwd"], 2, "Error: invalid paper id '../etc/passwd'"),
        (["--ids"], 2, "Error: --ids needs at least one paper id"),
        (["-f", "docx"], 2, "Error: "),
        (["--fromat", "json"], 2, "Error: "),
        (["year:20xx"], 2, "Error: "),
        (["-f", "markdown", "--json"], 2, "Error: --json conflicts with --format markdown"),
        (["-o", "/nonexistent/dir/x.bib"], 2, "Error: cannot write /nonexistent/dir/x.bib"),
    ],
)
def test_errors_are_one_line_with_an_exit_code(erun, args, code, message):
    result = erun("export", *args)
    assert result.exit_code == code
    assert result.stderr.strip().splitlines()[-1].startswith(message)
    assert "Traceback" not in result.stderr
    assert result.stdout == ""


def test_unloadable_record_is_reported_and_skipped(erun, ekb):
    write(ekb / "papers" / "Broken0001.yaml", "id: Broken0001\ntitle: [unclosed\n")
    result = erun("export", "-f", "json")
    assert result.exit_code == 0
    assert len(json.loads(result.stdout)) == len(ALL_IDS)
    assert "1 record(s) could not be loaded" in result.stderr


def test_repository_ntk_papers_export_and_render():
    """The issue's check on the shipped knowledge base: every NTK paper in the .bib,
    and the CSL-JSON of the same papers rendered by citeproc-py."""
    repo = Runner(Path(__file__).resolve().parents[1])
    ntk = {row["id"] for row in json.loads(repo("list", "--tag", "NTK", "--json").stdout)}
    assert len(ntk) >= 5
    library = parse_bib(repo("export", "--tag", "NTK", "--format", "bibtex").stdout)
    urls = {fields(e)["url"] for e in library.entries}
    assert urls == {f"https://openreview.net/forum?id={pid}" for pid in ntk}
    items = json.loads(repo("export", "--tag", "NTK", "--format", "csljson").stdout)
    assert [i["id"] for i in items] == [e.key for e in library.entries]
    bibliography = CitationStylesBibliography(
        CitationStylesStyle("harvard-cite-them-right", validate=False),
        CiteProcJSON(items),
        formatter.plain,
    )
    for item in items:
        bibliography.register(Citation([CitationItem(item["id"])]))
    rendered = "\n".join(str(entry) for entry in bibliography.bibliography())
    assert all(item["title"] in rendered for item in items)


@settings(max_examples=150, deadline=None)
@given(
    title=st.text(
        st.characters(blacklist_categories=("Cc", "Cs", "Zl", "Zp")), min_size=1, max_size=60
    ).filter(str.strip),
    author=st.text(st.characters(blacklist_categories=("Cc", "Cs", "Zl", "Zp")), max_size=20),
)
def test_any_title_and_author_give_one_parseable_entry(title, author):
    paper = Paper.model_validate(
        {
            "id": "H1gEP6NFwr",
            "title": title,
            "authors": [author] if author.strip() else [],
            "venue": "ICLR 2020",
            "year": 2020,
            "decision": "Accept (Poster)",
        }
    )
    keys = citation_keys([paper])
    assert re.fullmatch(r"[a-z][a-z0-9]*", keys[paper.id])
    library = bibtexparser.parse_string(to_bibtex([paper], keys))
    assert library.failed_blocks == [] and [e.key for e in library.entries] == [keys[paper.id]]
    assert set(library.entries[0].fields_dict) >= {"title", "booktitle", "year", "url"}
    escaped = md_escape(title)
    assert re.search(r"(?<!\\)[<>\[\]*_`]", escaped) is None
