"""The shipped knowledge base's exports read by the programs people cite with: biber's
data-model check, pybtex's plain and alpha styles, LaTeX (bibtex + natbib, biblatex +
biber), the official CSL-JSON schema and Pandoc's citeproc.

A missing program skips its test, except under CI (CI=true), where it fails: .ci/run
installs every one of them.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import jsonschema
import pytest
from pybtex.database import parse_string
from pybtex.plugin import find_plugin

from .conftest import Runner

REPO = Path(__file__).resolve().parents[1]
SCHEMA = Path(__file__).parent / "data" / "csl-data.json"
# Five citations: an accepted spotlight, a talk, a poster, a rejected and a withdrawn paper.
CITED = {
    "harnessing2020power": ("Arora et al.", "accepted"),
    "gradient2020clipping": ("Zhang et al.", "accepted"),
    "deep2020double": ("Nakkiran et al.", "accepted"),
    "tunability2020optimizers": ("S et al.", "rejected"),
    "topology2020deep": ("Naitzat et al.", "withdrawn"),
}


def need(program: str) -> str:
    path = shutil.which(program)
    if path is None:
        if os.environ.get("CI") == "true":
            pytest.fail(f"{program} is not installed; .ci/run installs it")
        pytest.skip(f"{program} is not installed")
    return path


def export(fmt: str) -> str:
    result = Runner(REPO)("export", "-f", fmt)
    assert result.exit_code == 0, result.stderr
    return result.stdout


def run(argv: list[str], cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        argv, cwd=cwd, capture_output=True, text=True, stdin=subprocess.DEVNULL, timeout=300
    )


def test_biber_validates_the_data_model_without_a_warning(tmp_path):
    biber = need("biber")
    (tmp_path / "kb.bib").write_text(export("bibtex"), encoding="utf-8")
    done = run([biber, "--tool", "--validate-datamodel", "kb.bib"], tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    warnings = [line for line in done.stdout.splitlines() if line.startswith(("WARN", "ERROR"))]
    assert warnings == []
    assert "INFO - Output to kb_bibertool.bib" in done.stdout


@pytest.mark.parametrize("style", ["plain", "alpha"])
def test_pybtex_formats_every_entry(style):
    data = parse_string(export("bibtex"), "bibtex")
    assert len(data.entries) == 83
    formatter = find_plugin("pybtex.style.formatting", style)()
    backend = find_plugin("pybtex.backends", "text")()
    formatted = list(formatter.format_entries(data.entries.values()))
    assert len(formatted) == 83
    texts = {e.key: e.text.render(backend) for e in formatted}
    assert all(data.entries[key].persons["author"] for key in texts)
    rejected = texts["tunability2020optimizers"]
    assert "Submitted to ICLR 2020" in rejected
    assert "International Conference on Learning Representations" not in rejected
    assert "decision" not in rejected  # the decision is data, not printed
    assert "International Conference on Learning Representations" in texts["harnessing2020power"]
    if style == "alpha":
        assert {e.label for e in formatted} >= {"ADL+20", "SMV+20"}


def _latex_run(tmp_path: Path, preamble: str, bib_step: list[str], cite: str) -> str:
    pdflatex, pdftotext = need("pdflatex"), need("pdftotext")
    (tmp_path / "kb.bib").write_text(export("bibtex"), encoding="utf-8")
    cites = "; ".join(f"{cite}{{{key}}}" for key in CITED)
    (tmp_path / "doc.tex").write_text(
        "\\documentclass{article}\n\\usepackage[utf8]{inputenc}\n"
        f"{preamble}\n\\begin{{document}}\nCITES: {cites}.\n\\end{{document}}\n",
        encoding="utf-8",
    )
    latex = [pdflatex, "-interaction=nonstopmode", "-halt-on-error", "doc.tex"]
    for argv in (latex, bib_step, latex, latex):
        done = run(argv, tmp_path)
        assert done.returncode == 0, (argv, done.stdout[-3000:])
    log = (tmp_path / "doc.log").read_text(encoding="utf-8", errors="replace")
    assert "undefined" not in log.lower()
    text = run([pdftotext, "doc.pdf", "-"], tmp_path).stdout
    return " ".join(text.split())


def assert_author_year(text: str) -> None:
    """'CITES: Arora et al. (2020); ...; Naitzat, Zhitnikov, and Lim (2020).' in citation order."""
    cites = text.split("CITES: ", 1)[1].split(" References", 1)[0].rstrip(".")
    labels = cites.split("; ")
    assert len(labels) == len(CITED), cites
    for shown, (label, _) in zip(labels, CITED.values(), strict=True):
        assert shown.startswith(label.split()[0]) and shown.endswith(" (2020)"), cites
    assert "Submitted to ICLR 2020" in text


def test_bibtex_and_natbib_give_author_year_labels(tmp_path):
    need("bibtex")
    text = _latex_run(
        tmp_path,
        "\\usepackage[round,authoryear]{natbib}\n\\bibliographystyle{plainnat}\n"
        "\\AtEndDocument{\\bibliography{kb}}",
        ["bibtex", "doc"],
        "\\citet",
    )
    assert_author_year(text)


def test_biblatex_and_biber_give_author_year_labels(tmp_path):
    need("biber")
    text = _latex_run(
        tmp_path,
        "\\usepackage[style=authoryear,backend=biber]{biblatex}\n\\addbibresource{kb.bib}\n"
        "\\AtEndDocument{\\printbibliography}",
        ["biber", "doc"],
        "\\textcite",
    )
    assert_author_year(text)


def test_csljson_passes_the_official_schema_with_no_deprecated_variable():
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    items = json.loads(export("csljson"))
    assert len(items) == 83
    jsonschema.Draft7Validator(schema).validate(items)
    deprecated = {
        name
        for name, spec in schema["items"]["properties"].items()
        if "deprecated" in spec.get("description", "").lower()
    }
    assert "event" in deprecated
    used = {name for item in items for name in item}
    assert used & deprecated == set()
    by_id = {item["id"]: item for item in items}
    rejected = by_id["tunability2020optimizers"]
    assert rejected["type"] == "manuscript" and "container-title" not in rejected
    assert rejected["status"] == "Submitted to ICLR 2020"
    accepted = by_id["harnessing2020power"]
    assert accepted["type"] == "paper-conference"
    assert accepted["event-title"] == "ICLR 2020"


def test_pandoc_renders_rejected_papers_without_a_container_title(tmp_path):
    pandoc = need("pandoc")
    (tmp_path / "refs.json").write_text(export("csljson"), encoding="utf-8")
    keys = ", ".join(f"@{key}" for key in CITED)
    (tmp_path / "doc.md").write_text(f"---\nnocite: '{keys}'\n---\n\nText.\n", encoding="utf-8")
    done = run(
        [pandoc, "--citeproc", "--bibliography", "refs.json", "-t", "plain", "--wrap=none"]
        + ["doc.md"],
        tmp_path,
    )
    assert done.returncode == 0, done.stderr
    entries = [line for line in done.stdout.splitlines() if "openreview.net" in line]
    assert len(entries) == len(CITED)
    for label, status in CITED.values():
        line = next(x for x in entries if x.startswith(label.split()[0] + ", "))
        if status == "accepted":
            assert "In International Conference on Learning Representations" in line, line
        else:
            assert "International Conference on Learning Representations" not in line, line
            assert "Submitted to ICLR 2020" in line, line
