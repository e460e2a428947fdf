"""Completion of filters inside a search query, and the zsh and fish scripts in real shells."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner

from papernotes.cli import cli
from papernotes.cli.complete import FILTER_ALIASES, FILTERS

from .test_completion import complete

BIN = os.path.dirname(sys.executable)
ZSH_DRIVER = r"""
zmodload zsh/zpty
script=$1; line=$2; out=$3
zpty -b z zsh -f -i
zpty -w z "autoload -Uz compinit && compinit -u -D"
zpty -w z "source $script"
zpty -w z 'comptest() { zle complete-word; print -r -- "<<$BUFFER>>" >> '$out'; }; zle -N comptest; bindkey "^T" comptest'
zpty -w -n z "$line"$'\x14'
for i in {1..100}; do [[ -s $out ]] && break; sleep 0.1; done
zpty -d z
"""


def shell_env(kb: Path) -> dict:
    return {**os.environ, "PAPERNOTES_ROOT": str(kb), "PATH": f"{BIN}:{os.environ['PATH']}"}


def script(shell: str, tmp_path: Path) -> Path:
    path = tmp_path / f"papernotes.{shell}"
    path.write_text(CliRunner().invoke(cli, ["completion", shell]).stdout, encoding="utf-8")
    return path


def zsh_buffer(kb: Path, tmp_path: Path, source: Path, line: str) -> str:
    """What zsh's line holds after typing ``line`` and pressing TAB, in an interactive zsh."""
    assert shutil.which("zsh"), "zsh is a test requirement (.ci/run installs it)"
    driver = tmp_path / "drive.zsh"
    driver.write_text(ZSH_DRIVER, encoding="utf-8")
    out = tmp_path / "buffer.txt"
    out.unlink(missing_ok=True)
    subprocess.run(
        ["zsh", "-f", str(driver), str(source), line, str(out)],
        env=shell_env(kb),
        timeout=60,
        check=True,
    )
    text = out.read_text(encoding="utf-8").strip()
    assert text.startswith("<<") and text.endswith(">>"), text
    return text[2:-2]


# -- what papernotes answers ---------------------------------------------------------------
def test_the_filters_are_the_search_languages_filters():
    from papernotes.index.query import FIELDS

    assert set(FILTERS) | set(FILTER_ALIASES) == set(FIELDS)
    assert all(FIELDS[alias] == name for alias, name in FILTER_ALIASES.items())


def test_tag_filter_completes_tag_names(kb):
    assert complete(kb, "papernotes search tag:N") == ["plain,tag:NTK"]
    assert complete(kb, "papernotes search ntk -x tag:") == [
        "plain,tag:deep-learning-theory",
        "plain,tag:LTH",
        "plain,tag:NTK",
        "plain,tag:optimization",
    ]
    assert complete(kb, "papernotes search TAGS:lt") == ["plain,TAGS:LTH"]
    fish = complete(kb, "papernotes search tag:nt", shell="fish")
    assert fish == ["plain,tag:NTK\tNeural tangent kernel / 神经正切核"]


def test_bash_splits_at_the_colon(kb):
    # bash's COMP_WORDBREAKS holds ':', so 'tag:N' arrives as three words
    assert complete(kb, "papernotes search tag : N") == ["plain,NTK"]
    assert ":NTK" in [c.split(",", 1)[1] for c in complete(kb, "papernotes search tag :")]


def test_other_filters_and_filter_names(kb):
    assert complete(kb, "papernotes search decision:") == [
        "plain,decision:" + v for v in ("accept", "reject", "poster", "spotlight", "talk")
    ] + ["plain,decision:withdrawn"]
    assert complete(kb, "papernotes search lang:z") == ["plain,lang:zh"]
    assert complete(kb, "papernotes search dec")[:1] == ["plain,decision:accept"]
    assert "plain,tag:NTK" in complete(kb, "papernotes search ta")
    assert complete(kb, "papernotes search ntk") == []  # a plain word is free text
    assert complete(kb, "papernotes search year:") == []  # open-ended


def test_a_broken_taxonomy_completes_nothing(kb):
    (kb / "tags.yaml").write_text("tags: [\n", encoding="utf-8")
    assert complete(kb, "papernotes search tag:") == []


# -- the scripts in real shells ---------------------------------------------------------
def test_zsh_keeps_the_typed_word_when_candidates_differ_in_case(kb, tmp_path):
    (kb / "tags.yaml").write_text(
        (kb / "tags.yaml").read_text(encoding="utf-8")
        + "  GAN:\n    en: GANs\n    zh: 生成对抗网络\n    description: x.\n"
        + "  generalization:\n    en: Generalization\n    zh: 泛化\n    description: x.\n",
        encoding="utf-8",
    )
    fixed = script("zsh", tmp_path)
    assert zsh_buffer(kb, tmp_path, fixed, "papernotes list --tag g") == "papernotes list --tag g"
    assert (
        zsh_buffer(kb, tmp_path, fixed, "papernotes list --tag ntk") == "papernotes list --tag NTK "
    )
    assert (
        zsh_buffer(kb, tmp_path, fixed, "papernotes search tag:nt") == "papernotes search tag:NTK "
    )
    # click's own script drops the 'g' (the reason for the fix)
    from click.shell_completion import ZshComplete

    plain = tmp_path / "click.zsh"
    plain.write_text(ZshComplete(cli, {}, "papernotes", "_PAPERNOTES_COMPLETE").source())
    assert zsh_buffer(kb, tmp_path, plain, "papernotes list --tag g") == "papernotes list --tag "


def test_fish_shows_whole_descriptions(kb, tmp_path):
    assert shutil.which("fish"), "fish is a test requirement (.ci/run installs it)"
    source = script("fish", tmp_path)
    lines = "papernotes sea\npapernotes search tag:NT\n"
    driver = f"source {source}\n" + "".join(
        f'complete -C "{line}"\n' for line in lines.split("\n") if line
    )
    out = subprocess.run(
        ["fish", "--no-config", "-c", driver],
        env=shell_env(kb),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert out.stdout.splitlines() == [
        "search\tFull-text search in titles, tags, notes (Chinese and English) and more.",
        "tag:NTK\tNeural tangent kernel / 神经正切核",
    ], out.stderr
