"""Broken, odd and malicious record files: one line per problem, with file and line, no
traceback, and nothing written. Each file goes through validate, show, list and fmt."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from dataclasses import dataclass
from pathlib import Path

import pytest

from ..conftest import write
from .conftest import (
    AS_NOBODY,
    child_env,
    no_traceback,
    nonblank,
    one_error,
    pn,
    problem_lines,
    snapshot,
)


@dataclass(frozen=True)
class Case:
    name: str  # file name (and id) under papers/
    data: bytes
    line: int | None
    message: str


def case(name: str, data: bytes | str, line: int | None, message: str) -> Case:
    return Case(name, data.encode("utf-8") if isinstance(data, str) else data, line, message)


NOTE = "notes:\n- lang: en\n  en: x\n  source: cli\n  date: 2026-01-01\n"
LAUGHS = (
    "a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n"
    "b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
    "c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]\n"
    "d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]\n"
    "e: [*d, *d, *d, *d, *d, *d, *d, *d, *d]\n"
)

CASES = [
    # YAML syntax
    case("syntaxerr", "id: syntaxerr\ntitle: [unclosed\nyear: 2020\n", 3, "YAML syntax error"),
    case("badindent", "id: badindent\ntitle: t\n  year: 2020\n", 3, "YAML syntax error"),
    case(
        "tabindent",
        "id: tabindent\ntitle: t\nnotes:\n\t- lang: en\n",
        4,
        "YAML syntax error: ",
    ),
    case(
        "twodocs",
        "id: twodocs\ntitle: t\n---\nid: other\n",
        3,
        "expected a single document in the stream but found another document",
    ),
    case(
        "complexkey",
        "id: complexkey\ntitle: t\n? [a, b]\n: c\n",
        3,
        "a mapping key must be a plain value",
    ),
    # duplicate keys, at every level
    case(
        "dupkey", "id: dupkey\ntitle: a\ntitle: b\n", 3, "duplicate key 'title' (first at line 2)"
    ),
    case(
        "dupnested",
        "id: dupnested\ntitle: t\nlinks:\n  pdf: https://a\n  pdf: https://b\n",
        5,
        "duplicate key 'pdf' (first at line 4)",
    ),
    case(
        "dupinnote",
        "id: dupinnote\ntitle: t\nnotes:\n- lang: en\n  en: a\n  en: b\n  source: cli\n"
        "  date: 2026-01-01\n",
        6,
        "duplicate key 'en' (first at line 5)",
    ),
    # wrong types (strict: nothing is coerced)
    case(
        "yearstring",
        "id: yearstring\ntitle: t\nyear: '2020'\n",
        3,
        "year: expected a whole number (got str '2020')",
    ),
    case(
        "yearfloat",
        "id: yearfloat\ntitle: t\nyear: 2020.0\n",
        3,
        "year: expected a whole number (got float 2020.0)",
    ),
    case(
        "titleint",
        "id: titleint\ntitle: 42\n",
        2,
        "title: expected text (got int 42)",
    ),
    case("titlenull", "id: titlenull\ntitle:\n", 2, "title: expected text"),
    case(
        "authorsstr",
        "id: authorsstr\ntitle: t\nauthors: A. Author\n",
        3,
        "authors: expected a list (got str 'A. Author')",
    ),
    case(
        "notesmap",
        "id: notesmap\ntitle: t\nnotes:\n  lang: en\n",
        3,
        "notes: expected a list",
    ),
    case(
        "datestr",
        "id: datestr\ntitle: t\nadded: yesterday\n",
        3,
        "added: expected a date (YYYY-MM-DD) (got str 'yesterday')",
    ),
    case(
        "datebad",
        "id: datebad\ntitle: t\nadded: 2026-13-45\n",
        3,
        "invalid value '2026-13-45': month must be in 1..12",
    ),
    case(
        "year0000", "id: year0000\ntitle: t\nadded: 0000-01-01\n", 3, "invalid value '0000-01-01'"
    ),
    case(
        "bignumber",
        "id: bignumber\ntitle: t\nyear: " + "9" * 5000 + "\n",
        3,
        "Exceeds the limit (4300 digits)",
    ),
    case("boolid", "id: yes\ntitle: t\n", 1, "id: expected text (got bool True)"),
    case("intid", "id: 12345678\ntitle: t\n", 1, "id: expected text (got int"),
    case(
        "multiline", "id: multiline\ntitle: |\n  two\n  lines\n", 2, "title: must be a single line"
    ),
    case(
        "ctrltitle",
        'id: ctrltitle\ntitle: "a\\x07b"\n',
        2,
        "title: contains a control character",
    ),
    case(
        "badlang",
        "id: badlang\ntitle: t\n" + NOTE.replace("en\n", "fr\n", 1),
        4,
        "notes[0].lang: must be 'zh' or 'en' (got 'fr')",
    ),
    case(
        "badlink",
        "id: badlink\ntitle: t\nlinks:\n  pdf: javascript:alert(1)\n",
        4,
        "links.pdf: must be an http(s):// URL without spaces (got 'javascript:alert(1)')",
    ),
    case("selflink", "id: selflink\ntitle: t\nrelated:\n- id: selflink\n  why: me\n", 1, "itself"),
    # unknown fields (a typo is an error, with a suggestion)
    case(
        "unknownfield",
        "id: unknownfield\ntitle: t\ntitel: x\n",
        3,
        "titel: unknown field 'titel' (did you mean 'title'?)",
    ),
    case(
        "unknownnote",
        "id: unknownnote\ntitle: t\nnotes:\n- lang: en\n  en: x\n  sauce: cli\n  source: cli\n"
        "  date: 2026-01-01\n",
        6,
        "notes[0].sauce: unknown field 'sauce' (did you mean 'source'?)",
    ),
    # missing required fields
    case("missingid", "title: t\n", 1, "id: missing required field"),
    case("missingtitle", "id: missingtitle\n", 1, "title: missing required field"),
    # empty and shapeless files
    case("emptyfile", "", 1, "empty file: a record needs at least 'id' and 'title'"),
    case("blankfile", "\n  \n\n", 1, "empty file"),
    case("commentonly", "# nothing here yet\n", 1, "empty file"),
    case("dashesonly", "---\n", 1, "empty file"),
    case(
        "listrecord",
        "- id: listrecord\n- title: t\n",
        1,
        "expected a mapping of fields, got a list",
    ),
    case("scalarrecord", "just some text\n", 1, "expected a mapping of fields, got a string"),
    # encodings and bytes
    case(
        "badutf8",
        b"id: badutf8\ntitle: caf\xe9\n",
        2,
        "not valid UTF-8 (byte 0xe9); save the file as UTF-8",
    ),
    case(
        "utf16file", "id: utf16file\ntitle: t\n".encode("utf-16"), 1, "not valid UTF-8 (byte 0xff)"
    ),
    case("nulbyte", b"id: nulbyte\ntitle: a\x00b\n", 2, "contains a NUL byte"),
    case("bomthenbad", b"\xef\xbb\xbfid: bomthenbad\ntitle: t\nyear: x\n", 3, "year: "),
    # memory bombs and code execution
    case(
        "billion", "id: billion\ntitle: t\n" + LAUGHS, 3, "YAML anchors and aliases are not allowed"
    ),
    case("aliasuse", "id: aliasuse\ntitle: &t Title\nabstract: *t\n", 2, "anchors and aliases"),
    case(
        "deepnest",
        "id: deepnest\ntitle: t\nnotes: " + "[" * 5000 + "]" * 5000 + "\n",
        3,
        "YAML nesting is too deep (more than 64 levels)",
    ),
    case(
        "segvnest",
        "id: segvnest\ntitle: t\nnotes: " + "[" * 60000 + "]" * 60000 + "\n",
        3,
        "YAML nesting is too deep",
    ),
    case(
        "mergekey",
        "id: mergekey\ntitle: t\n<<: {year: 2020}\n",
        3,
        "merge keys ('<<') are not allowed",
    ),
    case(
        "pyobject",
        "id: pyobject\ntitle: !!python/object/apply:os.system ['echo pwned']\n",
        2,
        "custom YAML tags are not allowed ('tag:yaml.org,2002:python/object/apply:os.system')",
    ),
    case(
        "pyname",
        "id: pyname\ntitle: !!python/name:os.system\n",
        2,
        "custom YAML tags are not allowed",
    ),
    case(
        "pymodule",
        "id: pymodule\ntitle: !!python/module:os\n",
        2,
        "custom YAML tags are not allowed",
    ),
    case(
        "customtag",
        "id: customtag\ntitle: !custom x\n",
        2,
        "custom YAML tags are not allowed ('!custom')",
    ),
    case(
        "localtag",
        "%TAG !e! tag:example.com,2000:\n---\nid: localtag\ntitle: !e!thing x\n",
        4,
        "custom YAML tags are not allowed",
    ),
    # Standard YAML tags are allowed by YAML itself; they build values no field accepts.
    case(
        "binarytag",
        "id: binarytag\ntitle: !!binary aGVsbG8=\n",
        2,
        "title: expected text (got bytes b'hello')",
    ),
    case(
        "settag",
        "id: settag\ntitle: t\nauthors: !!set {a: null}\n",
        3,
        "authors: expected a list (got set",
    ),
    # identity
    case(
        "idmismatch",
        "id: somethingelse\ntitle: t\n",
        1,
        "id: id 'somethingelse' does not match the file name (expected id 'idmismatch')",
    ),
]

# show prints these anyway: the record itself is valid, only its file name is wrong.
SHOWABLE = {"idmismatch"}


@pytest.mark.parametrize("bad", CASES, ids=[c.name for c in CASES])
def test_bad_record_is_one_line_in_every_command(kb, run, bad):
    path = kb / "papers" / f"{bad.name}.yaml"
    path.write_bytes(bad.data)
    shown = f"papers/{bad.name}.yaml"
    place = shown if bad.line is None else f"{shown}:{bad.line}"
    before = snapshot(kb)

    result = run("validate")
    no_traceback(result.stdout, result.stderr)
    assert result.exit_code == 1
    mine = problem_lines(result.stdout, shown)
    assert len(mine) == 1, result.stdout
    assert mine[0].startswith(place + ": "), mine[0]
    assert bad.message in mine[0]
    assert len(nonblank(result.stdout)) == 1  # the two good records have no problem
    assert nonblank(result.stderr) == ["1 problem(s) in 3 record(s)"]

    data = json.loads(run("validate", "--json").stdout)
    assert [(p["path"], p["line"]) for p in data] == [(shown, bad.line)]

    result = run("show", bad.name)
    no_traceback(result.stdout, result.stderr)
    if bad.name in SHOWABLE:
        assert result.exit_code == 0
    else:
        assert result.exit_code == 6
        assert result.stdout == ""
        one_error(result.stderr, f"Error: {place}: ", bad.message)

    result = run("list")
    no_traceback(result.stdout, result.stderr)
    assert result.exit_code == 0
    listed = [line.split("\t")[0] for line in nonblank(result.stdout)]
    assert "H1gEP6NFwr" in listed and "HygrAR4tPS" in listed
    if bad.name not in SHOWABLE:
        assert nonblank(result.stderr) == [
            "Warning: 1 record(s) could not be loaded and are not listed; run 'papernotes validate'"
        ]

    result = run("fmt")
    no_traceback(result.stdout, result.stderr)
    errors = [line for line in nonblank(result.stderr) if line.startswith("cannot format")]
    if bad.name in SHOWABLE:
        assert result.exit_code == 0 and errors == []
    else:
        assert result.exit_code == 1
        assert len(errors) == 1 and errors[0].startswith(f"cannot format {place}: ")
    assert snapshot(kb) == before


def test_billion_laughs_is_refused_fast_and_small(kb):
    """Nine levels of nine aliases would be 387 million strings once expanded."""
    laughs = "id: laughs9\ntitle: t\nl0: &l0 lol\n" + "".join(
        f"l{i}: &l{i} [{', '.join([f'*l{i - 1}'] * 9)}]\n" for i in range(1, 10)
    )
    write(kb / "papers" / "laughs9.yaml", laughs)
    usage = _peak_rss_kib(kb, "validate")
    baseline = _peak_rss_kib(kb, "--version")
    assert usage["rc"] == 1
    assert "papers/laughs9.yaml:3: YAML anchors and aliases are not allowed" in usage["stdout"]
    assert usage["rss"] - baseline["rss"] < 60_000  # KiB: importing pydantic & co, no expansion


# -- size ---------------------------------------------------------------------


def _peak_rss_kib(root: Path, *args: str) -> dict:
    """Run papernotes in a child Python and report its own peak memory (ru_maxrss, KiB)."""
    code = textwrap.dedent(
        """
        import json, resource, sys
        from papernotes.cli import cli
        try:
            cli.main(sys.argv[1:], prog_name="papernotes", standalone_mode=True)
        except SystemExit as exc:
            code = exc.code
        rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        sys.stderr.write("\\nRSS=%d RC=%s\\n" % (rss, code))
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", code, "--root", str(root), *args],
        capture_output=True,
        text=True,
        timeout=120,
        env=child_env(),
    )
    tail = done.stderr.rsplit("RSS=", 1)[1].split()
    return {
        "rss": int(tail[0]),
        "rc": int(tail[1].removeprefix("RC=") or 0),
        "stdout": done.stdout,
        "stderr": done.stderr,
    }


def test_20_mb_record_is_refused_without_being_read(kb):
    big = kb / "papers" / "hugefile.yaml"
    with big.open("w", encoding="utf-8") as handle:
        handle.write("id: hugefile\ntitle: t\nabstract: |-\n")
        line = "  " + "x" * 98 + "\n"
        for _ in range(200_000):
            handle.write(line)
    assert big.stat().st_size > 20_000_000
    before = snapshot(kb)
    usage = _peak_rss_kib(kb, "validate")
    small = _peak_rss_kib(kb, "--version")
    no_traceback(usage["stdout"], usage["stderr"])
    assert usage["rc"] == 1
    assert problem_lines(usage["stdout"], "papers/hugefile.yaml") == [
        "papers/hugefile.yaml: file is too large (20.2 MB; the limit is 5 MiB)"
    ]
    # Reading 20 MB and parsing it would cost hundreds of MB; stat() costs nothing.
    assert usage["rss"] - small["rss"] < 60_000
    assert snapshot(kb) == before


def test_record_just_under_the_size_limit_loads(kb, run):
    note = "x" * 99 + "\n"
    text = "id: bigbutok\ntitle: t\nabstract: |-\n" + "".join("  " + note for _ in range(45_000))
    write(kb / "papers" / "bigbutok.yaml", text.rstrip("\n") + "\n")
    assert 4_500_000 < (kb / "papers" / "bigbutok.yaml").stat().st_size < 5 * 2**20
    result = run("validate")
    assert result.exit_code == 0, result.stdout
    assert json.loads(run("show", "bigbutok", "--json").stdout)["abstract"].count("\n") == 44_999


# -- line ends and BOM (accepted on read, normalised by fmt) -------------------


@pytest.mark.parametrize(
    "variant",
    ["bom", "crlf", "cr", "bom+crlf", "mixed"],
)
def test_bom_and_line_ends_are_read_and_normalised(kb, run, variant):
    path = kb / "papers" / "H1gEP6NFwr.yaml"
    canonical = path.read_bytes()
    data = canonical
    if "crlf" in variant:
        data = data.replace(b"\n", b"\r\n")
    if variant == "cr":
        data = data.replace(b"\n", b"\r")
    if variant == "mixed":
        lines = data.split(b"\n")
        data = b"".join(line + (b"\r\n" if i % 2 else b"\n") for i, line in enumerate(lines[:-1]))
    if "bom" in variant:
        data = b"\xef\xbb\xbf" + data
    path.write_bytes(data)
    assert run("validate").exit_code == 0
    shown = json.loads(run("show", "H1gEP6NFwr", "--json").stdout)
    assert (
        shown["notes"][0]["zh"] == '略神奇. 如何比较"easy to tune"?\n本文提出了一个quantify的方法'
    )
    check = run("fmt", "--check")
    assert check.exit_code == 1
    assert nonblank(check.stdout) == ["would reformat papers/H1gEP6NFwr.yaml"]
    assert path.read_bytes() == data  # --check writes nothing
    assert run("fmt").exit_code == 0
    assert path.read_bytes() == canonical


# -- identity -----------------------------------------------------------------


def test_two_files_with_the_same_id(kb, run, frozen):
    write(kb / "papers" / "samedup1.yaml", "id: HygrAR4tPS\ntitle: copy\n")
    frozen.mark()
    result = run("validate")
    assert result.exit_code == 1
    assert nonblank(result.stdout) == [
        "papers/samedup1.yaml:1: id: id 'HygrAR4tPS' does not match the file name "
        "(expected id 'samedup1') (rename the file or fix the id)",
        "papers/samedup1.yaml:1: id: duplicate id 'HygrAR4tPS' (also in papers/HygrAR4tPS.yaml)",
    ]
    listed = json.loads(run("list", "--json").stdout)
    assert [row["id"] for row in listed].count("HygrAR4tPS") == 1
    assert json.loads(run("show", "HygrAR4tPS", "--json").stdout)["title"] == (
        "How Much Tuning Do Optimizers Need?"
    )


def test_ids_that_differ_only_by_case(kb, run, frozen):
    write(kb / "papers" / "h1gep6nfwr.yaml", "id: h1gep6nfwr\ntitle: lower\n")
    frozen.mark()
    result = run("validate")
    no_traceback(result.stdout, result.stderr)
    assert result.exit_code == 1
    assert nonblank(result.stdout) == [
        "papers/H1gEP6NFwr.yaml:1: id: id differs only by case from 'h1gep6nfwr' "
        "(such files collide on case-insensitive file systems)",
        "papers/h1gep6nfwr.yaml:1: id: id differs only by case from 'H1gEP6NFwr' "
        "(such files collide on case-insensitive file systems)",
    ]
    assert json.loads(run("show", "h1gep6nfwr", "--json").stdout)["title"] == "lower"
    assert run("show", "H1gEP6NFwr").exit_code == 0


def test_python_tags_never_run_code(kb, run, tmp_path, frozen):
    marker = tmp_path / "pwned"
    for i, tag in enumerate(
        ["!!python/object/apply:os.system", "!!python/object/new:os.system"], start=1
    ):
        write(
            kb / "papers" / f"pycode{i}x.yaml", f"id: pycode{i}x\ntitle: {tag} ['touch {marker}']\n"
        )
    frozen.mark()
    result = run("validate")
    assert result.exit_code == 1
    assert len(nonblank(result.stdout)) == 2
    assert all("custom YAML tags are not allowed" in line for line in nonblank(result.stdout))
    run("show", "pycode1x")
    run("fmt")
    assert not marker.exists()


# -- files that are not plain files ----------------------------------------------


def test_directory_named_like_a_record(kb, run, frozen):
    (kb / "papers" / "adirectory.yaml").mkdir()
    frozen.mark()
    result = run("validate")
    assert result.exit_code == 1
    assert nonblank(result.stdout) == ["papers/adirectory.yaml: is a directory, not a file"]
    assert run("list").exit_code == 0
    assert run("fmt").exit_code == 1


def test_fifo_and_device_are_never_opened(kb):
    """A FIFO would block open() forever and /dev/zero never ends: a real process must
    come back with one line each (a timeout here means a hang)."""
    os.mkfifo(kb / "papers" / "apipefile.yaml")
    (kb / "papers" / "zerodevice.yaml").symlink_to("/dev/zero")
    before = snapshot(kb)
    for args in (("validate",), ("list",), ("fmt",)):
        done = pn(*args, root=kb, timeout=60)
        no_traceback(done.stdout, done.stderr)
        assert done.returncode in (0, 1)
    done = pn("validate", root=kb, timeout=60)
    assert nonblank(done.stdout) == [
        "papers/apipefile.yaml: is not a regular file (a pipe, socket or device); not read",
        "papers/zerodevice.yaml: is a symbolic link to /dev/zero, outside the knowledge base;"
        " not read (copy the file into papers/ instead)",
    ]
    assert snapshot(kb) == before


def test_symlink_outside_the_knowledge_base_is_not_followed(kb, run, tmp_path, frozen):
    secret = tmp_path / "secret.yaml"
    secret.write_text("id: secretid\ntitle: my private key\n", encoding="utf-8")
    (kb / "papers" / "secretid.yaml").symlink_to(secret)
    message = (
        f"papers/secretid.yaml: is a symbolic link to {secret}, outside the knowledge base;"
        " not read (copy the file into papers/ instead)"
    )
    frozen.mark()
    result = run("validate")
    assert result.exit_code == 1
    assert nonblank(result.stdout) == [message]
    result = run("show", "secretid")
    assert result.exit_code == 6
    one_error(result.stderr, message)
    assert "my private key" not in result.stdout + result.stderr
    listed = run("list")
    assert "my private key" not in listed.stdout
    fmt = run("fmt")
    assert fmt.exit_code == 1
    assert (kb / "papers" / "secretid.yaml").is_symlink()


def test_symlink_inside_the_knowledge_base_is_followed(kb, run, frozen):
    (kb / "drafts").mkdir()
    write(kb / "drafts" / "insidexx.yaml", "id: insidexx\ntitle: kept in drafts\n")
    (kb / "papers" / "insidexx.yaml").symlink_to("../drafts/insidexx.yaml")
    frozen.mark()
    assert run("validate").exit_code == 0
    assert json.loads(run("show", "insidexx", "--json").stdout)["title"] == "kept in drafts"


@pytest.mark.parametrize("kind", ["dangling", "loop"])
def test_broken_symlinks(kb, run, kind, frozen):
    papers = kb / "papers"
    if kind == "dangling":
        (papers / "danglink.yaml").symlink_to("gone.yaml")
        expected = ["papers/danglink.yaml: is a symbolic link to a missing file"]
    else:
        (papers / "loopaaaa.yaml").symlink_to("loopbbbb.yaml")
        (papers / "loopbbbb.yaml").symlink_to("loopaaaa.yaml")
        expected = [
            "papers/loopaaaa.yaml: is a symbolic link loop; not read",
            "papers/loopbbbb.yaml: is a symbolic link loop; not read",
        ]
    frozen.mark()
    result = run("validate")
    no_traceback(result.stdout, result.stderr)
    assert result.exit_code == 1
    assert nonblank(result.stdout) == expected
    assert run("list").exit_code == 0


# -- permissions ----------------------------------------------------------------


def test_unreadable_record(kb):
    """chmod 000 does not stop root, so as root the command drops to user 'nobody' before
    it reads (a real EACCES from the kernel); as any other user, chmod is enough."""
    import shutil
    import tempfile

    results = {}
    commands = {"validate": ("validate",), "show": ("show", "H1gEP6NFwr")}
    if os.geteuid() == 0:
        base = Path(tempfile.mkdtemp(prefix="pn-hostile-"))  # pytest's tmp is root-only
        try:
            root = base / "kb"
            shutil.copytree(kb, root)
            cache = base / "cache"
            cache.mkdir()
            for folder in (base, root, root / "papers", root / "notes", cache):
                folder.chmod(0o777 if folder == cache else 0o755)
            (root / "papers" / "H1gEP6NFwr.yaml").chmod(0o000)
            before = snapshot(root)
            env = child_env(PAPERNOTES_CACHE_DIR=str(cache))
            for name, args in commands.items():
                done = subprocess.run(
                    [sys.executable, "-c", AS_NOBODY, "--root", str(root), *args],
                    capture_output=True,
                    text=True,
                    timeout=60,
                    env=env,
                )
                results[name] = (done.returncode, done.stdout, done.stderr)
            assert snapshot(root) == before
        finally:
            shutil.rmtree(base)
    else:
        secret = kb / "papers" / "H1gEP6NFwr.yaml"
        secret.chmod(0o000)
        try:
            for name, args in commands.items():
                done = pn(*args, root=kb)
                results[name] = (done.returncode, done.stdout, done.stderr)
        finally:
            secret.chmod(0o644)
    code, stdout, stderr = results["validate"]
    no_traceback(stdout, stderr)
    assert code == 1
    assert nonblank(stdout) == ["papers/H1gEP6NFwr.yaml: cannot read the file: permission denied"]
    code, stdout, stderr = results["show"]
    no_traceback(stdout, stderr)
    assert code == 6
    one_error(stderr, "papers/H1gEP6NFwr.yaml: cannot read the file: permission denied")
