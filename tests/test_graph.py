"""papernotes graph: each format read back by its own tool (Graphviz, json, an HTML parser,
a real browser), with hostile titles escaped everywhere."""

from __future__ import annotations

import json
import re
import subprocess
from html.parser import HTMLParser

import pytest

from papernotes.export.graph import short_title
from papernotes.export.graph_dot import dot_quote
from papernotes.export.graph_mermaid import mermaid_text
from papernotes.text import script_json
from tests.browser import CHROMIUM, CHROMIUM_ARGS
from tests.conftest import Runner, write
from tests.external import require
from tests.links_fixtures import make_links_kb, record

EVIL = 'Evil </script><script>alert(1)</script> "quoted" \\ back & more'


@pytest.fixture
def lkb(tmp_path):
    root = make_links_kb(tmp_path / "lkb")
    write(
        root / "papers" / "EvilPaper01.yaml",
        record("EvilPaper01", EVIL, ["LTH"], related=[("GraspPaper1", '<b>why</b> | "x"')])
        + "links:\n  forum: https://openreview.net/forum?id=EvilPaper01\n",
    )
    return root


@pytest.fixture
def lrun(lkb):
    return Runner(lkb)


def graph_json(lrun, *args):
    result = lrun("graph", "--format", "json", *args)
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


def test_json_nodes_edges_and_kinds(lrun):
    data = graph_json(lrun)
    ids = {n["id"] for n in data["nodes"]}
    assert data["counts"]["papers"] == 12 and data["counts"]["topics"] == 6
    assert all(e["source"] in ids and e["target"] in ids for e in data["edges"])
    kinds = {e["kind"] for e in data["edges"]}
    assert kinds == {"link", "tag", "parent", "similar", "mention"}
    link = next(e for e in data["edges"] if e["source"] == "TargetPaper1" and e["kind"] == "link")
    assert link["target"] == "LinkedPaper1"
    assert link["label"] == "very related, also compares tuning effort"
    assert {"source": "RarePaper01", "target": "tag:NTK", "kind": "tag", "label": ""} in data[
        "edges"
    ]
    assert {"source": "tag:NTK", "target": "tag:theory", "kind": "parent", "label": ""} in data[
        "edges"
    ]
    # one edge per pair of papers: the mention of SpectralPap hides their similarity
    pairs = [frozenset((e["source"], e["target"])) for e in data["edges"] if e["kind"] != "tag"]
    assert len(pairs) == len(set(pairs))
    evil = next(n for n in data["nodes"] if n["id"] == "EvilPaper01")
    assert evil["title"] == EVIL and evil["url"] == "https://openreview.net/forum?id=EvilPaper01"


def test_tag_and_paper_subgraphs(lrun):
    ntk = graph_json(lrun, "--tag", "cntk")
    papers = {n["id"] for n in ntk["nodes"] if n["kind"] == "paper"}
    assert papers == {"TargetPaper1", "SameTags001", "RarePaper01"}
    wider = graph_json(lrun, "--tag", "ntk", "--depth", "1")
    assert "LinkedPaper1" in {n["id"] for n in wider["nodes"]}
    around = graph_json(lrun, "--paper", "EigenPaper1")
    assert {n["id"] for n in around["nodes"] if n["kind"] == "paper"} == {
        "EigenPaper1",
        "SpectralPap",
        "GraspPaper1",
    }
    alone = graph_json(lrun, "--paper", "EigenPaper1", "--depth", "0")
    assert [n["id"] for n in alone["nodes"]] == ["EigenPaper1"]


def test_without_topics_shared_tags_become_edges(lrun):
    data = graph_json(lrun, "--no-topics")
    assert data["counts"]["topics"] == 0
    shared = [e for e in data["edges"] if e["kind"] == "shared-tag"]
    pair = next(e for e in shared if {e["source"], e["target"]} == {"RarePaper01", "SameTags001"})
    assert pair["label"] == "#NTK"
    both = next(e for e in shared if {e["source"], e["target"]} == {"SameTags001", "TargetPaper1"})
    assert both["label"] == "#NTK, #theory"  # the rarer tag first


def test_dot_renders_with_graphviz(lrun):
    require("dot", "graphviz")
    for args in ([], ["--clusters", "--layout", "dot", "--edge-labels"], ["--no-topics"]):
        result = lrun("graph", "--format", "dot", *args)
        assert result.exit_code == 0
        svg = subprocess.run(
            ["dot", "-Tsvg"], input=result.stdout, capture_output=True, text=True, timeout=60
        )
        assert svg.returncode == 0, svg.stderr
        assert svg.stdout.count('class="node"') == 18 - (6 if "--no-topics" in args else 0)
        assert "&lt;/script&gt;&lt;script&gt;" in svg.stdout
        assert "<script>" not in svg.stdout


def test_dot_quote_escapes():
    assert dot_quote('a "b" \\ c\nd') == '"a \\"b\\" \\\\ c\\nd"'
    assert dot_quote("x\x00y") == '"x y"'


def test_mermaid_structure_and_escaping(lrun):
    out = lrun("graph", "--format", "mermaid").stdout
    lines = out.splitlines()
    assert lines[0] == "flowchart LR"
    node = re.compile(r'^  n\d+(\["[^"]*"\]|\(\["[^"]*"\]\)):::g\d+$')
    edge = re.compile(r'^  n\d+ (-->|-\.-|-\.->|---|==>)(\|"[^"|]*"\|)? n\d+$')
    click = re.compile(r'^  click n\d+ href "https?://[^"\s]+" _blank$')
    klass = re.compile(r"^  classDef g\d+ fill:#[0-9a-f]{6},stroke:#[0-9a-f]{6},color:#000$")
    for line in lines[1:]:
        assert node.match(line) or edge.match(line) or click.match(line) or klass.match(line), line
    assert "Evil #60;/script#62;#60;script#62;alert(1)" in out
    assert '|"#60;b#62;why#60;/b#62; #124; #34;x#34;"|' in out
    assert mermaid_text("a|b#c") == "a#124;b#35;c"


class PageParser(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags = []
        self.scripts = []
        self._in_script = None
        self.text = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        if tag == "script":
            self._in_script = dict(attrs)
            self.scripts.append([dict(attrs), ""])

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_script = None

    def handle_data(self, data):
        if self._in_script is not None:
            self.scripts[-1][1] += data
        else:
            self.text.append(data)


@pytest.mark.usefixtures("lkb")
def test_html_is_one_self_contained_escaped_page(lrun, tmp_path):
    target = tmp_path / "out" / "graph.html"
    target.parent.mkdir()
    result = lrun("graph", "--format", "html", "-o", str(target))
    assert result.exit_code == 0 and result.stdout == ""
    assert result.stderr.startswith(f"wrote {target}: 12 paper(s), 6 topic(s)")
    page = target.read_text(encoding="utf-8")
    parser = PageParser()
    parser.feed(page)
    parser.close()
    scripts = parser.scripts
    assert [s[0] for s in scripts] == [{"type": "application/json", "id": "graph-data"}, {}]
    data = json.loads(scripts[0][1])
    assert EVIL in [n["title"] for n in data["nodes"]]
    assert "</script>" not in scripts[0][1] and "<" not in scripts[0][1]
    # nothing is fetched: no src, no stylesheet link, no http(s) reference outside the data
    assert not [t for t, attrs in parser.tags if "src" in attrs or t in ("link", "iframe")]
    outside = page.replace(scripts[0][1], "")
    assert "http://" not in outside.replace("http://www.w3.org/2000/svg", "")
    assert "https://" not in outside


PROBE = """<script>
var node = document.querySelector('g.node[data-id="TargetPaper1"]');
node.dispatchEvent(new MouseEvent("click", {bubbles: true}));
document.body.setAttribute("data-details", document.getElementById("details").textContent);
document.body.setAttribute("data-dimmed", String(document.querySelectorAll("g.node.dim").length));
</script>
</body>"""


def dump_dom(page, tmp_path) -> str:
    return subprocess.run(
        [
            require(CHROMIUM, "chromium"),
            *CHROMIUM_ARGS,
            "--virtual-time-budget=5000",
            f"--user-data-dir={tmp_path / 'chrome'}",
            "--dump-dom",
            page.as_uri(),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    ).stdout


def test_html_page_runs_in_a_real_browser(lrun, tmp_path):
    target = tmp_path / "graph.html"
    assert lrun("graph", "--format", "html", "-o", str(target)).exit_code == 0
    # A click on a paper, as a user would: its connections fill the side panel.
    probe = tmp_path / "probe.html"
    probe.write_text(target.read_text(encoding="utf-8").replace("</body>", PROBE), "utf-8")
    dom = dump_dom(probe, tmp_path)
    assert 'data-ready="18"' in dom  # the page's script ran to the end
    assert dom.count('<g class="node paper') == 12 and dom.count('<g class="node topic') == 6
    assert "<title>Evil &lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt;" in dom
    assert dom.count("<script") == 3  # the data, the page's script, the probe
    details = re.search(r'data-details="([^"]*)"', dom).group(1)
    assert details.startswith("Wide network training dynamicsTargetPaper1 · Accept (Poster)")
    assert "linkBudgets for optimizer searchvery related, also compares tuning effort" in details
    dimmed = int(re.search(r'data-dimmed="(\d+)"', dom).group(1))
    assert 0 < dimmed < 18


def test_output_errors_and_stdout(lrun, tmp_path):
    result = lrun("graph", "-o", str(tmp_path / "missing" / "g.dot"))
    assert result.exit_code == 2 and "does not exist" in result.stderr
    assert result.stdout.startswith("") and "Traceback" not in result.stderr
    assert lrun("graph").stdout.startswith("digraph papernotes {")
    both = lrun("graph", "--tag", "ntk", "--paper", "TargetPaper1")
    assert both.exit_code == 2 and both.stderr == "Error: give --tag or --paper, not both\n"
    unknown = lrun("graph", "--tag", "nosuch")
    assert unknown.exit_code == 3 and len(unknown.stderr.splitlines()) == 1
    missing = lrun("graph", "--paper", "TargetPaper2")
    assert missing.exit_code == 3 and missing.stderr.startswith("Error: no paper 'TargetPaper2'")


def test_output_is_written_atomically_over_an_old_file(lrun, tmp_path):
    target = tmp_path / "g.json"
    target.write_text("old", encoding="utf-8")
    assert lrun("graph", "-f", "json", "-o", str(target)).exit_code == 0
    assert json.loads(target.read_text(encoding="utf-8"))["counts"]["papers"] == 12
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".g.json")] == []


def test_empty_knowledge_base(run_empty):
    data = json.loads(run_empty("graph", "-f", "json").stdout)
    assert data["nodes"] == [] and data["edges"] == []
    assert run_empty("graph").stdout.startswith("digraph")


def test_helpers():
    assert short_title("BackPACK: Packing more into backprop") == "BackPACK"
    assert short_title("A " + "very " * 20 + "long title").endswith("…")
    assert "\\u003c/script\\u003e" in script_json({"t": "</script>"})
