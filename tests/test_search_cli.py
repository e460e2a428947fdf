"""`papernotes search` and `papernotes reindex` from the command line, on a small KB."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from papernotes.cli import cli
from tests.test_search_support import PAPERS, make_kb, write_record


@pytest.fixture
def root(tmp_path):
    return make_kb(tmp_path / "kb")


@pytest.fixture
def search(root):
    def run(*args: str):
        result = CliRunner().invoke(cli, ["--root", str(root), "search", *args])
        assert "Traceback" not in result.output + result.stderr
        return result

    return run


def ids(result) -> list[str]:
    assert result.exit_code == 0, result.stderr
    return [line.split("\t")[0] for line in result.stdout.splitlines()]


def json_ids(result) -> list[str]:
    assert result.exit_code == 0, result.stderr
    return [hit["id"] for hit in json.loads(result.stdout)]


def one_line_error(result, code: int, text: str) -> None:
    assert result.exit_code == code
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: ") and text in lines[0], result.stderr


# -- output ------------------------------------------------------------------------------
def test_plain_output_is_tab_separated_with_marked_snippet(search):
    result = search("ntk")
    assert result.exit_code == 0
    first = result.stdout.splitlines()[0].split("\t")
    assert first[:3] == ["NtkPaper01", PAPERS["NtkPaper01"]["title"], "NTK"]
    assert "«NTK»" in first[3]  # 'ntk' found inside 基于NTK理论
    assert ids(result) == ["NtkPaper01", "CntkPaper2"]


def test_json_output_best_first(search):
    result = search("ntk", "--json")
    hits = json.loads(result.stdout)
    assert [set(h) for h in hits] == [{"id", "title", "tags", "score", "snippet"}] * 2
    assert hits[0]["id"] == "NtkPaper01" and hits[0]["tags"] == ["NTK"]
    assert hits[0]["score"] > hits[1]["score"] > 0
    assert "«CNTK»" in hits[1]["snippet"]


def test_no_match_prints_empty_json_list(search):
    result = search("zyzzyva", "--json")
    assert result.exit_code == 0 and json.loads(result.stdout) == []


def test_no_match_plain_says_so_on_stderr(search):
    result = search("zyzzyva")
    assert result.exit_code == 0 and result.stdout == ""
    assert "No paper matches 'zyzzyva'" in result.stderr


def test_limit(search):
    assert len(ids(search("ntk", "--limit", "1"))) == 1
    assert len(ids(search("-zyzzyva", "--limit", "0"))) == len(PAPERS)
    assert len(ids(search("-zyzzyva"))) == len(PAPERS)


def test_limit_rejects_negative(search):
    result = search("ntk", "--limit", "-1")
    assert result.exit_code == 2


def test_query_words_are_joined(search):
    assert ids(search("neural", "tangent", "kernel")) == ids(search("neural tangent kernel"))


def test_table_on_a_terminal(search, monkeypatch):
    monkeypatch.setattr("papernotes.cli.common.is_tty", lambda stderr=False: not stderr)
    result = search("宽网络")
    assert result.exit_code == 0
    assert "NtkPaper01" in result.stdout and "WidePaper6" in result.stdout
    assert "snippet" in result.stdout and "«" not in result.stdout  # styled, not marked


def test_table_says_how_many_are_hidden(search, monkeypatch):
    monkeypatch.setattr("papernotes.cli.common.is_tty", lambda stderr=False: not stderr)
    result = search("-zyzzyva", "--limit", "2")
    assert f"2 of {len(PAPERS)} papers shown" in result.stderr


def test_markup_in_notes_is_text(root, search, monkeypatch):
    fields = {
        "title": "Markup [bold]test[/bold]",
        "notes": [{"lang": "en", "en": "a [red]zebra[/]"}],
    }
    write_record(root, "MarkupP01", fields)
    monkeypatch.setattr("papernotes.cli.common.is_tty", lambda stderr=False: not stderr)
    result = search("zebra")
    assert "[red]" in result.stdout and "[bold]test[/bold]" in result.stdout.replace("\n", "")


# -- what is searched ---------------------------------------------------------------------
@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("收敛", ["GanPaper05", "NtkPaper01"]),  # inside 收敛性; 'convergence' (glossary)
        ("宽网络", ["NtkPaper01", "WidePaper6"]),
        ("值得一读", ["NtkPaper01"]),
        ("基于NTK理论", ["NtkPaper01"]),
        ("Lovelace", ["NtkPaper01"]),  # authors
        ("budget", ["OptPaper04"]),  # abstract
        ("hyperparameter", ["OptPaper04"]),  # keywords
        ("初始化", ["LthPaper03"]),  # the reason on a related link
        ("NtkPaper01", ["NtkPaper01"]),  # id
        ("调参", ["OptPaper04"]),  # a Chinese translation
    ],
)
def test_fields_and_chinese(search, query, expected):
    assert sorted(ids(search(query))) == sorted(expected)


@pytest.mark.parametrize(
    "query",
    ["ntk", "NTK", "CNTK", "neural tangent kernel", '"neural tangent kernel"', "神经正切核"],
)
def test_every_name_of_a_tag_finds_its_papers(search, query):
    found = ids(search(query))
    assert found[0] == "NtkPaper01" and "CntkPaper2" in found  # CNTK is an alias of NTK


@pytest.mark.parametrize("query", ["lottery ticket", "winning tickets", "彩票假设", "LTH"])
def test_lottery_ticket_names(search, query):
    assert ids(search(query)) == ["LthPaper03"]


def test_plural_and_singular_match(search):
    assert ids(search("gan")) == ["GanPaper05"]  # the record says GANs
    assert ids(search("ticket")) == ["LthPaper03"]  # the title says Tickets
    assert ids(search("optimizer")) == ["OptPaper04"]  # the abstract says optimizers
    assert ids(search('"optimizer"')) == []  # quoted: exactly as typed


def test_tag_names_rank_papers_that_write_them_higher(root, search):
    write_record(root, "TaggedOnly", {"title": "Something else entirely", "tags": ["NTK"]})
    found = ids(search("ntk"))
    assert found.index("NtkPaper01") < found.index("TaggedOnly")


def test_title_outranks_notes_outranks_abstract(root, search):
    write_record(root, "InAbstract", {"title": "Alpha", "abstract": "about quokka habits"})
    write_record(root, "InNotes01", {"title": "Beta", "notes": [{"lang": "en", "en": "quokka"}]})
    write_record(root, "InTitle01", {"title": "The quokka paper"})
    assert ids(search("quokka")) == ["InTitle01", "InNotes01", "InAbstract"]


# -- query language -----------------------------------------------------------------------
@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("adam sgd", ["OptPaper04"]),
        ("adam OR gans", ["GanPaper05", "OptPaper04"]),
        ("adam | gans", ["GanPaper05", "OptPaper04"]),
        ("convergence -gan", ["NtkPaper01"]),
        ("convergence NOT gan", ["NtkPaper01"]),
        ("-gan -ntk -lth -adam -wide -cntk", []),
        ('"duality gap"', ["GanPaper05"]),
        ('"gap duality"', []),
        ("(adam OR gans) -decision:withdrawn", ["OptPaper04"]),
        ("conv*", ["CntkPaper2", "GanPaper05", "NtkPaper01"]),
        ('-"duality gap" gans', []),
    ],
)
def test_boolean_queries(search, query, expected):
    assert sorted(ids(search(query))) == expected


def test_negation_alone_lists_the_rest(search):
    assert sorted(ids(search("-gan"))) == sorted(set(PAPERS) - {"GanPaper05"})


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("tag:NTK", ["NtkPaper01"]),
        ("tag:ntk", ["NtkPaper01"]),
        ("tag:神经正切核", ["NtkPaper01"]),
        ('tag:"neural tangent kernel"', ["NtkPaper01"]),
        ("tag:deep-learning-theory", ["NtkPaper01", "WidePaper6"]),  # child tags included
        ("-tag:deep-learning-theory tag:LTH", ["LthPaper03"]),
        ("venue:iclr", ["LthPaper03", "NtkPaper01", "OptPaper04"]),
        ('venue:"ICLR 2020" adam', ["OptPaper04"]),
        ("venue:neurips", ["CntkPaper2"]),
        ("year:2019", ["CntkPaper2"]),
        ("year:2018..2019", ["CntkPaper2", "GanPaper05"]),
        ("year:>=2020 tag:NTK", ["NtkPaper01"]),
        ("year:<2019", ["GanPaper05"]),
        ("year:1999", []),
        ("decision:accept", ["LthPaper03", "NtkPaper01"]),
        ("decision:accepted", ["LthPaper03", "NtkPaper01"]),
        ("decision:talk", ["LthPaper03"]),
        ("decision:reject", ["CntkPaper2", "OptPaper04"]),
        ("decision:withdrawn", ["GanPaper05"]),
        ("lang:zh", ["LthPaper03", "NtkPaper01", "WidePaper6"]),
        ("lang:en convergence", ["GanPaper05"]),
        ("tag:ntk OR tag:lth", ["LthPaper03", "NtkPaper01"]),
    ],
)
def test_filters(search, query, expected):
    assert sorted(ids(search(query))) == expected


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("lang:fr", "lang: expects zh or en, not 'fr'"),
        ("year:20x", "year: expects a year"),
    ],
)
def test_bad_filter_values_are_usage_errors(search, query, message):
    one_line_error(search(query), 2, message)


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("tag:ntkk", "unknown tag 'ntkk' (did you mean 'NTK'?)"),
        ("tag:zzzzzz", "unknown tag 'zzzzzz'"),
        ("ntk OR tag:zzzzzz", "unknown tag 'zzzzzz'"),
    ],
)
def test_unknown_tag_is_not_found_as_for_list(root, search, query, message):
    one_line_error(search(query), 3, message)
    listed = CliRunner().invoke(cli, ["--root", str(root), "list", "--tag", "zzzzzz"])
    assert listed.exit_code == 3


@pytest.mark.parametrize("query", ["", "   ", "\t\n"])
def test_empty_query_is_a_usage_error(search, query):
    one_line_error(search(query), 2, "empty query")


def test_missing_query_is_a_usage_error(root):
    result = CliRunner().invoke(cli, ["--root", str(root), "search"])
    assert result.exit_code == 2 and "QUERY" in result.stderr


ODD = [
    '"',
    '""',
    '"unterminated phrase',
    "(",
    ")",
    "((((((((((((((((((((((((((((((((((ntk",
    "ntk))))",
    "*",
    "**ntk",
    "NEAR",
    "NEAR(ntk gan)",
    "-",
    "- - -",
    "--",
    "AND OR",
    "NOT",
    "OR ntk OR",
    "^",
    "^ntk",
    ":",
    "a:b",
    "tag:",
    "year:",
    "ntk:",
    "'",
    "\\",
    "\x00",
    "\udcff",
    "'; DROP TABLE docs; --",
    "{title}: ntk",
    "ntk" + " ntk" * 3000,
    "收敛" * 3000,
    "x" * 10_000,
]


@pytest.mark.parametrize("query", ODD, ids=range(len(ODD)))
def test_odd_queries_are_answered(search, query):
    result = search("--json", "--", query)
    assert result.exit_code == 0, result.stderr
    assert isinstance(json.loads(result.stdout), list)


def test_operators_alone_are_searched_as_words(root, search):
    write_record(root, "AndOrPaper", {"title": "Robustness and/or Redundancy"})
    assert ids(search("AND OR")) == ["AndOrPaper"]


def test_dash_word_is_not_an_option(search):
    assert "GanPaper05" not in ids(search("-gan"))
    assert "NtkPaper01" in ids(search("-hessian"))  # '-h' is not --help here


# -- the index from the command line --------------------------------------------------------
def test_bad_record_is_skipped_with_a_warning(root, search):
    (root / "papers" / "BrokenP01.yaml").write_text("id: BrokenP01\ntitle: [\n", encoding="utf-8")
    result = search("ntk")
    assert ids(result) == ["NtkPaper01", "CntkPaper2"]
    assert "Warning: 1 record(s) could not be loaded and are not searched" in result.stderr
    assert "papers/BrokenP01.yaml" in result.stderr


def test_reindex_prints_counts(root):
    result = CliRunner().invoke(cli, ["--root", str(root), "reindex"])
    assert result.exit_code == 0
    assert result.stdout.startswith(f"Indexed {len(PAPERS)} paper(s) in ")
    result = CliRunner().invoke(cli, ["--root", str(root), "reindex", "--json"])
    data = json.loads(result.stdout)
    assert data["papers"] == len(PAPERS) and data["skipped"] == 0 and data["seconds"] >= 0
    assert data["index"].endswith("index.sqlite")


def test_reindex_counts_skipped(root):
    (root / "papers" / "BrokenP01.yaml").write_text("- not a mapping\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["--root", str(root), "reindex"])
    assert result.exit_code == 0 and "1 record(s) skipped" in result.stdout
    assert "Warning: 1 record(s) could not be loaded" in result.stderr


@pytest.mark.usefixtures("root")
def test_help_shows_the_query_syntax():
    result = CliRunner().invoke(cli, ["search", "--help"])
    assert result.exit_code == 0
    for part in ('"exact phrase"', "tag:NTK", "year:2018..2020", "lang:zh", "--limit"):
        assert part in result.stdout


def test_progress_bar_appears_only_on_a_terminal_for_long_work(monkeypatch, capsys):
    from papernotes.cli import indexing
    from papernotes.cli.common import Env

    monkeypatch.setattr(indexing, "SHOW_AFTER", 0.0)
    monkeypatch.setattr(indexing, "is_tty", lambda stderr=False: True)  # noqa: ARG005 - is_tty(stderr=...)
    bar = indexing.LazyProgress(Env(no_color=True), "Indexing records")
    bar(0, 10)
    bar(5, 10)
    assert bar.bar is not None
    bar.close()
    monkeypatch.setattr(indexing, "is_tty", lambda stderr=False: False)  # noqa: ARG005 - is_tty(stderr=...)
    quiet = indexing.LazyProgress(Env(no_color=True), "Indexing records")
    quiet(5, 10)
    assert quiet.bar is None
    assert capsys.readouterr().out == ""


def test_empty_knowledge_base(run_empty):
    result = run_empty("search", "ntk", "--json")
    assert result.exit_code == 0 and json.loads(result.stdout) == []
    result = run_empty("reindex")
    assert result.exit_code == 0 and result.stdout.startswith("Indexed 0 paper(s)")
