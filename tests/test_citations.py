"""Stored citation keys, the offline catalog's authors and abstracts, and honest venues.

Keys: set once when a record is created (authors when known, else title words), unique in
the knowledge base, never changed afterwards; fmt stores the key older exports computed.
"""

from __future__ import annotations

import json
import lzma
import tempfile
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from papernotes.checks.fmt import canonical_paper
from papernotes.edit.apply import apply_metadata
from papernotes.export.bibtex import bibtex_name, entry
from papernotes.export.csljson import csl_name
from papernotes.metadata.base import PaperMetadata
from papernotes.metadata.catalog import (
    BLOCK,
    METADATA_FORMAT,
    load_catalog,
    lookup_details,
    pack_metadata,
)
from papernotes.model.citekey import citation_keys, legacy_keys, new_key
from papernotes.model.record import Paper
from papernotes.model.taxonomy import Taxonomy
from papernotes.store.kb import KnowledgeBase

from .conftest import Runner, write

REPO = Path(__file__).resolve().parents[1]
SEEDS = REPO / "seeds"


def record(root: Path, paper_id: str) -> dict:
    return yaml.safe_load((root / "papers" / f"{paper_id}.yaml").read_text(encoding="utf-8"))


# -- keys are set once --------------------------------------------------------------------


def test_add_sets_the_key_from_the_catalog_authors(run, kb):
    result = run("add", "ryeHuJBtPH", "--no-fetch", "--note", "hypergraphs")
    assert result.exit_code == 0, result.stderr
    data = record(kb, "ryeHuJBtPH")
    assert data["authors"][0] == "Ruochi Zhang"
    assert data["key"] == "zhang2020hyper"
    assert data["abstract"].startswith("Graph representation learning for hypergraphs")
    assert "hypergraph" in data["keywords"]


def test_add_resolves_a_collision_at_creation(run, kb):
    write(kb / "papers" / "Taken00001.yaml", "id: Taken00001\nkey: zhang2020hyper\ntitle: t\n")
    assert run("add", "ryeHuJBtPH", "--no-fetch", "--note", "x").exit_code == 0
    assert record(kb, "ryeHuJBtPH")["key"] == "zhang2020hypera"
    assert run("validate").exit_code == 0


def test_a_paper_without_authors_gets_title_words(run, kb):
    result = run("add", "doi:10.1000/abc", "--title", "Wide Nets Converge Fast", "--note", "x")
    assert result.exit_code == 0, result.stderr
    assert record(kb, "doi%3A10.1000%2Fabc")["key"] == "widenets"


def test_import_fills_authors_and_keys_from_the_catalog(empty_kb):
    run = Runner(empty_kb)
    result = run("import", str(SEEDS / "000_316735fe26adea45.txt"), "--json")
    assert result.exit_code == 0, result.stderr
    records = [yaml.safe_load(p.read_text("utf-8")) for p in (empty_kb / "papers").iterdir()]
    assert len(records) == 66
    assert all(r["authors"] for r in records)
    keys = [r["key"] for r in records]
    assert len(set(keys)) == len(keys)
    tuning = record(empty_kb, "H1gEP6NFwr")
    assert (
        tuning["key"] == "s2020tunability"
    )  # OpenReview lists the first author as "Prabhu Teja S"
    assert tuning["abstract"].startswith("There is no consensus yet")
    assert run("fmt", "--check").exit_code == 0


def test_validate_reports_a_shared_key_with_its_line(run, kb):
    write(
        kb / "papers" / "Twin000001.yaml",
        "id: Twin000001\nkey: TunAbility2020Optimizers\ntitle: t\n",
    )
    result = run("validate")
    assert result.exit_code == 1
    problems = [line for line in result.stdout.splitlines() if "citation key" in line]
    assert problems == [
        "papers/H1gEP6NFwr.yaml:2: key: citation key 'tunability2020optimizers' is also the key "
        "of papers/Twin000001.yaml (give one of them another key (a key is never reused))",
        "papers/Twin000001.yaml:2: key: citation key 'TunAbility2020Optimizers' is also the key "
        "of papers/H1gEP6NFwr.yaml (give one of them another key (a key is never reused))",
    ]


def test_a_key_biber_would_refuse_is_one_line(run, kb):
    write(kb / "papers" / "BadKey0001.yaml", "id: BadKey0001\nkey: 'a b{c}'\ntitle: t\n")
    result = run("validate")
    assert result.exit_code == 1
    line = next(x for x in result.stdout.splitlines() if x.startswith("papers/BadKey0001.yaml"))
    assert line.startswith("papers/BadKey0001.yaml:2: key: not a usable citation key")


def test_fmt_stores_the_keys_exports_gave_so_far(empty_kb):
    """Records from before keys were stored: fmt pins exactly what export printed."""
    run = Runner(empty_kb)
    for n, added in enumerate(("2026-01-02", "2026-01-01", "2026-01-03")):
        write(
            empty_kb / "papers" / f"Same00000{n}.yaml",
            f"id: Same00000{n}\ntitle: Deep Nets\nyear: 2020\nadded: {added}\n",
        )
    before = [line for line in run("export").stdout.splitlines() if line.startswith("@")]
    assert run("fmt").exit_code == 0
    stored = {f"Same00000{n}": record(empty_kb, f"Same00000{n}")["key"] for n in range(3)}
    assert stored == {
        "Same000001": "deep2020nets",
        "Same000000": "deep2020netsa",
        "Same000002": "deep2020netsb",
    }
    # Authors arriving later change nothing (they used to: deep2020nets -> smith2020deep).
    path = empty_kb / "papers" / "Same000001.yaml"
    path.write_text(path.read_text("utf-8").replace("title:", "authors:\n- A Smith\ntitle:"))
    assert run("fmt").exit_code == 0
    after = [line for line in run("export").stdout.splitlines() if line.startswith("@")]
    assert sorted(after) == sorted(before)
    assert run("fmt", "--check").exit_code == 0


def test_legacy_keys_are_todays_algorithm():
    papers = [
        Paper(id=f"Id{n}xxxxxx", title="Deep nets", authors=["A Smith"], year=2020)
        for n in range(3)
    ]
    assert sorted(legacy_keys(papers).values()) == [
        "smith2020deep",
        "smith2020deepa",
        "smith2020deepb",
    ]
    # A key stored elsewhere is avoided, as a suffixed key is.
    assert sorted(legacy_keys(papers[:1], ["smith2020deep"]).values()) == ["smith2020deepa"]
    assert new_key(papers[0], {"Smith2020Deep", "smith2020deepa"}) == "smith2020deepb"


NAMES = st.text(st.characters(blacklist_categories=("Cc", "Cs", "Zl", "Zp")), max_size=25)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    authors=st.lists(NAMES.filter(str.strip), max_size=4),
    title=NAMES.filter(str.strip),
    tags=st.lists(st.from_regex(r"[a-z][a-z0-9-]{0,10}", fullmatch=True), max_size=3, unique=True),
)
def test_authors_titles_and_tags_never_change_an_existing_key(authors, title, tags):
    original = Paper(id="H1gEP6NFwr", title="On the Tunability of Optimizers", year=2020)
    key = new_key(original, [])
    paper = original.model_copy(update={"key": key})
    meta = PaperMetadata(source="test", title=" ".join(title.split()), authors=authors)
    changed, _ = apply_metadata(paper, meta, overwrite=True)  # what refresh does
    changed = changed.model_copy(update={"tags": tags})
    assert changed.key == key
    assert citation_keys([changed])[changed.id] == key
    assert canonical_paper(changed, Taxonomy(), "other2020key").key == key
    assert (
        entry(changed, citation_keys([changed])[changed.id])
        .split("\n")[0]
        .endswith("{" + key + ",")
    )
    with tempfile.TemporaryDirectory() as tmp:  # and through the files and fmt
        root = Path(tmp)
        (root / "papers").mkdir()
        (root / "tags.yaml").write_text("tags: {}\n", encoding="utf-8")
        base = KnowledgeBase(root)
        base.save(changed)
        assert Runner(root)("fmt").exit_code == 0
        assert base.get(changed.id).key == key


# -- the catalog ------------------------------------------------------------------------


def test_every_catalog_paper_has_authors_and_the_counts_hold():
    ids = list(load_catalog())
    details = [lookup_details(pid) for pid in ids]
    assert all(d is not None and d.authors for d in details)
    assert sum(1 for d in details if d.abstract) == 1387
    assert sum(1 for d in details if d.tldr) == 700
    assert sum(1 for d in details if d.keywords) == 2314
    tuning = lookup_details("H1gEP6NFwr")
    assert tuning.authors[1:] == ("Florian Mai", "Thijs Vogels", "Martin Jaggi", "Francois Fleuret")
    assert lookup_details("notAnId000") is None and lookup_details("0") is None


def test_pack_format_reads_one_block():
    rows = [
        {
            "id": f"p{n:04d}",
            "authors": [f"Author {n}"],
            "keywords": [],
            "abstract": None,
            "tldr": "收敛" if n % 2 else None,
        }
        for n in range(BLOCK * 2 + 3)
    ]
    data = pack_metadata(reversed(rows))
    header_line, _, blobs = data.partition(b"\n")
    header = json.loads(header_line)
    assert header["format"] == METADATA_FORMAT
    assert header["first"] == ["p0000", f"p{BLOCK:04d}", f"p{2 * BLOCK:04d}"]
    assert sum(header["sizes"]) == len(blobs)
    last = blobs[sum(header["sizes"][:2]) :]
    assert [json.loads(x)[0] for x in lzma.decompress(last).splitlines()] == [
        f"p{2 * BLOCK + n:04d}" for n in range(3)
    ]


def test_shipped_records_are_filled_and_keep_their_keys():
    papers = KnowledgeBase(REPO).load_all().papers
    assert len(papers) == 83
    assert all(p.authors and p.key for p in papers.values())
    assert sum(1 for p in papers.values() if p.abstract) == 59
    # Computed before authors were added: the keys earlier exports printed.
    assert papers["H1gEP6NFwr"].key == "tunability2020optimizers"


# -- names ------------------------------------------------------------------------------


def test_names_with_suffixes():
    assert csl_name("Smith, Jr., John") == {"family": "Smith", "given": "John", "suffix": "Jr."}
    assert csl_name("John Smith, Jr.") == {"family": "Smith", "given": "John", "suffix": "Jr."}
    assert csl_name("Doe, Jane") == {"family": "Doe", "given": "Jane"}
    assert csl_name("Simon S. Du") == {"family": "Du", "given": "Simon S."}
    assert csl_name("张三") == {"literal": "张三"}
    assert bibtex_name("John Smith, Jr.") == "Smith, Jr., John"
    assert bibtex_name("Smith, Jr., John") == "Smith, Jr., John"
    assert bibtex_name("Simon S. Du") == "Simon S. Du"


def test_add_offline_hints_only_at_what_the_catalog_lacks(run, kb):
    result = run("add", "Syxwsp4KDB", "--no-fetch", "--note", "x")  # no abstract in the catalog
    assert result.exit_code == 0, result.stderr
    assert "Hint: fetch the abstract later: papernotes refresh Syxwsp4KDB" in result.stderr
    assert record(kb, "Syxwsp4KDB")["authors"]
    result = run("add", "ryeHuJBtPH", "--no-fetch", "--note", "x")  # the catalog has both
    assert result.exit_code == 0 and "Hint:" not in result.stderr


def test_import_fills_an_existing_record_and_keeps_its_key(kb):
    run = Runner(kb)
    assert "authors" not in record(kb, "H1gEP6NFwr")
    result = run("import", str(SEEDS / "000_316735fe26adea45.txt"))
    assert result.exit_code == 0, result.stderr
    data = record(kb, "H1gEP6NFwr")
    assert data["authors"][1] == "Florian Mai" and data["tldr"]
    assert data["key"] == "tunability2020optimizers"  # authors arrived; the key stays


def test_a_new_key_avoids_the_key_an_older_record_is_exported_with(run, kb):
    """A record without a stored key still owns the key exports give it."""
    write(
        kb / "papers" / "Old0000001.yaml",
        "id: Old0000001\ntitle: Hyper Graphs\nauthors:\n- R. Zhang\nyear: 2020\n",
    )
    result = run("add", "ryeHuJBtPH", "--no-fetch", "--note", "x")
    assert result.exit_code == 0
    assert "Hint: 1 record(s) have no citation key yet; 'papernotes fmt' stores" in result.stderr
    assert record(kb, "ryeHuJBtPH")["key"] == "zhang2020hypera"
    keys = [line for line in run("export").stdout.splitlines() if "zhang2020hyper" in line]
    assert sorted(keys) == ["@inproceedings{zhang2020hypera,", "@misc{zhang2020hyper,"]


WORD = st.from_regex(r"[A-Z][a-z]{1,8}", fullmatch=True)


@settings(max_examples=100, deadline=None)
@given(
    given_names=st.lists(WORD, min_size=1, max_size=2),
    family=WORD,
    suffix=st.sampled_from(["", "Jr.", "Sr.", "III"]),
    form=st.sampled_from(["plain", "comma", "suffix-last"]),
)
def test_bibtex_and_csl_agree_on_the_family_name(given_names, family, suffix, form):
    """pybtex (BibTeX's own name rules) reads back what csl_name says the family name is."""
    from pybtex.database import Person

    given_text = " ".join(given_names)
    if form == "plain" and not suffix:
        name = f"{given_text} {family}"
    elif form == "suffix-last" and suffix:
        name = f"{given_text} {family}, {suffix}"
    else:
        name = f"{family}, {suffix + ', ' if suffix else ''}{given_text}"
    person = Person(bibtex_name(name))
    csl = csl_name(name)
    assert person.last_names == [family] == [csl["family"]]
    assert " ".join(person.first_names + person.middle_names) == given_text == csl["given"]
    assert " ".join(person.lineage_names) == suffix == csl.get("suffix", "")


@pytest.mark.usefixtures("server")
def test_refresh_brings_authors_and_leaves_the_key(run, kb):
    """The issue's example: tunability2020optimizers became sivaprasad2020tunability."""
    before = run("export", "H1gEP6NFwr").stdout.splitlines()[0]
    result = run("refresh", "H1gEP6NFwr")
    assert result.exit_code == 0, result.stderr
    data = record(kb, "H1gEP6NFwr")
    assert data["authors"][0] == "Prabhu Teja Sivaprasad"
    assert data["key"] == "tunability2020optimizers"
    assert run("export", "H1gEP6NFwr").stdout.splitlines()[0] == before
