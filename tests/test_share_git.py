"""`papernotes git init`, `sync` and `resolve` with real git: a bare repository and clones."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
import yaml

from .conftest import RECORD, RELATED, TAGS, Runner


def git(cwd: Path, *args: str, check: bool = True) -> str:
    done = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True)
    if check and done.returncode != 0:
        raise AssertionError(f"git {' '.join(args)}: {done.stderr}")
    return done.stdout


def identity(clone: Path, name: str) -> None:
    git(clone, "config", "user.name", name)
    git(clone, "config", "user.email", f"{name.lower()}@example.org")


@pytest.fixture
def shared(tmp_path):
    """A bare repository holding the test knowledge base, and a function making clones."""
    remote = tmp_path / "remote.git"
    git(tmp_path, "init", "-q", "--bare", "-b", "main", str(remote))
    seed = tmp_path / "seed"
    git(tmp_path, "clone", "-q", str(remote), str(seed))
    identity(seed, "Seed")
    (seed / "papers").mkdir()
    (seed / "notes").mkdir()
    (seed / "tags.yaml").write_text(TAGS, encoding="utf-8")
    (seed / "papers" / "H1gEP6NFwr.yaml").write_text(RECORD, encoding="utf-8")
    (seed / "papers" / "HygrAR4tPS.yaml").write_text(RELATED, encoding="utf-8")
    assert Runner(seed)("git", "init").exit_code == 0
    git(seed, "add", "-A")
    git(seed, "commit", "-q", "-m", "start")
    git(seed, "push", "-q", "origin", "HEAD:main")

    def clone(name: str, setup: bool = True) -> tuple[Path, Runner]:
        path = tmp_path / name
        git(tmp_path, "clone", "-q", str(remote), str(path))
        identity(path, name)
        run = Runner(path)
        if setup:
            assert run("git", "init").exit_code == 0
        return path, run

    return clone


def record(clone: Path, pid: str = "H1gEP6NFwr") -> dict:
    return yaml.safe_load((clone / "papers" / f"{pid}.yaml").read_text(encoding="utf-8"))


def test_git_init_is_idempotent_and_keeps_existing_attributes(run, kb):
    (kb / ".gitattributes").write_text("*.pdf binary", encoding="utf-8")
    first = run("git", "init")
    assert first.exit_code == 0
    assert first.stdout.splitlines() == [
        "Initialised a git repository",
        "Wrote .gitattributes (papers/*.yaml merge=papernotes, tags.yaml merge=papernotes-taxonomy)",
        "Added the cache folder .papernotes/ to .gitignore",
        "Configured merge driver 'papernotes' in .git/config",
        "Configured merge driver 'papernotes-taxonomy' in .git/config",
    ]
    assert (kb / ".gitattributes").read_text(encoding="utf-8") == (
        "*.pdf binary\npapers/*.yaml merge=papernotes\ntags.yaml merge=papernotes-taxonomy\n"
    )
    driver = git(kb, "config", "merge.papernotes.driver").strip()
    assert driver.endswith(" -m papernotes merge-file %O %A %B --path %P")
    assert git(kb, "check-attr", "merge", "papers/H1gEP6NFwr.yaml").endswith(": papernotes\n")
    again = run("git", "init")
    assert again.stdout == "git is already set up to merge records; nothing changed\n"
    assert (kb / ".gitattributes").read_text(encoding="utf-8").count("merge=papernotes\n") == 1


def test_init_git_creates_a_shared_knowledge_base(tmp_path):
    result = Runner(None)("init", "--git", str(tmp_path / "kb"), root=False)
    assert result.exit_code == 0
    assert "Configured merge driver 'papernotes'" in result.stdout
    assert git(tmp_path / "kb", "config", "merge.papernotes-taxonomy.driver")


def test_validate_warns_about_a_repository_without_the_driver(run, kb):
    git(kb, "init", "-q")
    result = run("validate")
    assert result.exit_code == 0
    assert (
        "Warning: this knowledge base is a git repository without the papernotes merge driver"
        in result.stderr
    )
    run("git", "init")
    assert "Warning" not in run("validate").stderr


def test_concurrent_notes_and_a_retag_pull_without_conflict(shared, monkeypatch):
    """The seeds' case: two people add different notes to H1gEP6NFwr, one retags it."""
    ann, ann_run = shared("Ann")
    bob, bob_run = shared("Bob")
    monkeypatch.setenv("PAPERNOTES_AUTHOR", "Ann")
    assert (
        ann_run("add", "H1gEP6NFwr", "--note", "Ann: the protocol matters", "--no-fetch").exit_code
        == 0
    )
    assert ann_run("add", "H1gEP6NFwr", "--tag", "LTH", "--no-fetch").exit_code == 0
    git(ann, "commit", "-qam", "Ann's note and tag")
    git(ann, "push", "-q")
    monkeypatch.setenv("PAPERNOTES_AUTHOR", "Bob")
    assert (
        bob_run("add", "H1gEP6NFwr", "--note", "Bob: Adam is robust", "--no-fetch").exit_code == 0
    )
    git(bob, "commit", "-qam", "Bob's note")
    pulled = subprocess.run(
        ["git", "pull", "--no-rebase", "-q"], cwd=bob, capture_output=True, text=True
    )
    assert pulled.returncode == 0, pulled.stderr
    merged = record(bob)
    assert [n.get("by") for n in merged["notes"]] == [None, "Bob", "Ann"]
    assert merged["tags"] == ["optimization", "LTH"]
    text = (bob / "papers" / "H1gEP6NFwr.yaml").read_text(encoding="utf-8")
    assert "<<<<<<<" not in text
    assert bob_run("validate").exit_code == 0
    assert git(bob, "status", "--porcelain") == ""


def test_sync_commits_pulls_pushes_and_reports_what_came_in(shared, monkeypatch):
    ann, ann_run = shared("Ann")
    bob, bob_run = shared("Bob")
    monkeypatch.setenv("PAPERNOTES_AUTHOR", "Ann")
    ann_run("add", "H1gEP6NFwr", "--note", "from Ann", "--tag", "NTK", "--no-fetch")
    first = ann_run("sync")
    assert first.exit_code == 0, first.stderr
    assert first.stdout == ""
    assert first.stderr == "Synced with 'origin': 1 paper(s) committed, 0 paper(s) came in\n"
    subject = git(ann, "log", "-1", "--format=%s").strip()
    assert subject == "papernotes sync: 1 paper(s) (H1gEP6NFwr)"
    monkeypatch.setenv("PAPERNOTES_AUTHOR", "Bob")
    bob_run("add", "HygrAR4tPS", "--note", "from Bob", "--no-fetch")
    second = bob_run("sync")
    assert second.exit_code == 0, second.stderr
    # add --no-fetch also filled what the offline catalog knows of the paper (issue 13)
    assert second.stdout == (
        "H1gEP6NFwr: 1 note(s) added (by Ann); keywords +Optimization +Benchmarking "
        "+Hyperparameter optimization; tags +NTK; authors, abstract, tldr changed\n"
    )
    assert bob_run("search", "by:ann").stdout.startswith("H1gEP6NFwr\t")  # re-indexed
    third = ann_run("sync", "--json")
    incoming = third.stdout.split('"incoming": [')[1].split("]")[0]
    assert '"HygrAR4tPS: 1 note(s) added (by Bob); keywords +' in incoming  # + catalog
    assert "; authors, venue, year, decision" in incoming
    assert git(ann, "rev-parse", "HEAD") == git(bob, "rev-parse", "HEAD")
    quiet = ann_run("sync")
    assert quiet.stderr == "Synced with 'origin': 0 paper(s) came in\n"


def test_sync_records_a_scalar_conflict_and_resolve_settles_it(shared):
    ann, ann_run = shared("Ann")
    bob, bob_run = shared("Bob")
    for clone, value in ((ann, "Accept (Poster)"), (bob, "Accept (Spotlight)")):
        path = clone / "papers" / "H1gEP6NFwr.yaml"
        path.write_text(
            path.read_text(encoding="utf-8").replace("decision: Reject", f"decision: {value}"),
            encoding="utf-8",
        )
    assert ann_run("sync").exit_code == 0
    result = bob_run("sync")
    assert result.exit_code == 0, result.stderr
    assert (
        "Conflict: H1gEP6NFwr: decision changed on both sides; run 'papernotes resolve H1gEP6NFwr'"
        in result.stderr
    )
    data = record(bob)
    assert data["decision"] == "Accept (Poster)"  # the value already shared stays
    assert data["conflicts"] == [{"field": "decision", "theirs": "Accept (Spotlight)"}]
    assert git(bob, "status", "--porcelain") == ""
    assert bob_run("validate").exit_code == 1
    assert bob_run("resolve", "H1gEP6NFwr", "--other").exit_code == 0
    assert bob_run("sync").exit_code == 0
    assert ann_run("sync").stdout == "H1gEP6NFwr: decision changed\n"
    assert record(ann)["decision"] == "Accept (Spotlight)" and "conflicts" not in record(ann)


def test_a_conflict_the_driver_cannot_merge_leaves_the_tree_as_it_was(shared):
    ann, ann_run = shared("Ann")
    bob, bob_run = shared("Bob")
    (ann / "notes").mkdir(exist_ok=True)  # git keeps no empty folder
    (bob / "notes").mkdir(exist_ok=True)
    (ann / "notes" / "week1.md").write_text("# Week 1\nAnn's line\n", encoding="utf-8")
    assert ann_run("sync").exit_code == 0
    (bob / "notes" / "week1.md").write_text("# Week 1\nBob's line\n", encoding="utf-8")
    head = git(bob, "rev-parse", "HEAD")
    result = bob_run("sync")
    assert result.exit_code == 2
    assert result.stderr.splitlines() == [
        "Error: notes/week1.md changed on both sides in a way papernotes cannot merge; your "
        "commit is kept and nothing was pulled: merge by hand with 'git pull --rebase', then "
        "run 'papernotes sync' again"
    ]
    assert git(bob, "status", "--porcelain") == ""
    assert not (bob / ".git" / "rebase-merge").exists()
    assert git(bob, "rev-parse", "HEAD") != head  # the local commit
    assert (bob / "notes" / "week1.md").read_text(encoding="utf-8") == "# Week 1\nBob's line\n"


def one_error(result) -> str:
    assert result.exit_code != 0
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: "), result.stderr
    return lines[0]


def test_every_git_failure_is_one_line_with_a_remedy(shared, tmp_path, run, kb):
    assert "is not a git repository; run 'papernotes git init'" in one_error(run("sync"))
    git(kb, "init", "-q")
    assert "run 'papernotes git init'" in one_error(run("sync"))
    run("git", "init")
    assert "no remote to sync with; add one: git remote add origin URL" in one_error(run("sync"))

    ann, ann_run = shared("Ann")
    git(ann, "checkout", "-q", "--detach")
    assert "HEAD is detached" in one_error(ann_run("sync"))
    git(ann, "checkout", "-q", "main")

    # The words in the remote's own path (403, authentication) never pick the hint.
    git(ann, "remote", "set-url", "origin", str(tmp_path / "pytest-403-authentication.git"))
    gone = ann_run("sync")
    assert gone.exit_code == 4  # as for any network failure
    line = one_error(gone)
    assert line.startswith("Error: cannot fetch from 'origin': ")
    assert "does not appear to be a git repository" in line  # git's cause, not its advice
    assert line.endswith("(check that remote 'origin' is reachable ('git remote -v'))")

    git(ann, "remote", "set-url", "origin", "http://127.0.0.1:9/remote.git")
    assert "cannot fetch from 'origin'" in one_error(ann_run("sync"))

    bob, bob_run = shared("Bob", setup=False)
    assert "the papernotes merge driver is not set up in this clone" in one_error(bob_run("sync"))
    bob_run("git", "init")
    git(bob, "config", "--unset", "user.name")
    git(bob, "config", "--unset", "user.email")
    (bob / "papers" / "HygrAR4tPS.yaml").write_text(
        RELATED.replace("How Much", "How Much More"), encoding="utf-8"
    )
    env_blocks = {"GIT_AUTHOR_NAME", "GIT_COMMITTER_NAME", "EMAIL"}
    assert not env_blocks & set(__import__("os").environ)
    line = one_error(bob_run("sync"))
    assert "git does not know who you are" in line or "git commit failed" in line

    carol, carol_run = shared("Carol")
    (carol / ".git" / "rebase-merge").mkdir()
    assert "a rebase is in progress" in one_error(carol_run("sync"))


def test_a_push_race_is_retried(shared):
    """Someone pushes between our fetch and our push: the push is refused, sync retries."""
    ann, ann_run = shared("Ann")
    bob, _ = shared("Bob")
    (bob / "papers" / "HygrAR4tPS.yaml").write_text(
        RELATED + "venue: ICLR 2020\n", encoding="utf-8"
    )
    git(bob, "commit", "-qam", "Bob")
    hook = ann / ".git" / "hooks" / "pre-push"
    hook.write_text(
        "#!/bin/sh\n"
        f"if [ ! -e '{ann}/.raced' ]; then touch '{ann}/.git/raced' 2>/dev/null; "
        f"touch '{ann}/.raced'; git -C '{bob}' push -q origin HEAD:main; fi\n",
        encoding="utf-8",
    )
    hook.chmod(0o755)
    (ann / ".gitignore").write_text(".raced\n.papernotes/\n", encoding="utf-8")
    path = ann / "papers" / "H1gEP6NFwr.yaml"
    path.write_text(
        path.read_text(encoding="utf-8").replace("Reject", "Accept (Poster)"), encoding="utf-8"
    )
    result = ann_run("sync")
    assert result.exit_code == 0, result.stderr
    assert result.stdout == "HygrAR4tPS: venue changed\n"
    assert git(ann, "rev-parse", "HEAD") == git(ann, "rev-parse", "origin/main")


def test_a_remote_asking_for_a_login_is_one_line(shared):
    """A real HTTP remote on 127.0.0.1 that answers 401: git cannot ask for a password."""
    import threading
    from http.server import BaseHTTPRequestHandler, HTTPServer

    class LoginRequired(BaseHTTPRequestHandler):
        def do_GET(self):
            self.send_response(401)
            self.send_header("WWW-Authenticate", 'Basic realm="reading group"')
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args):
            pass

    server = HTTPServer(("127.0.0.1", 0), LoginRequired)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        ann, ann_run = shared("Ann")
        git(ann, "remote", "set-url", "origin", f"http://127.0.0.1:{server.server_port}/r.git")
        result = ann_run("sync")
        assert result.exit_code == 4
        line = one_error(result)
        assert line.startswith("Error: cannot fetch from 'origin': ")
        assert line.endswith("(check your credentials or your access to the repository)")
    finally:
        server.shutdown()


def test_sync_never_commits_the_cache(shared, monkeypatch):
    monkeypatch.delenv("PAPERNOTES_CACHE_DIR")  # the cache in the knowledge base, as for users
    ann, ann_run = shared("Ann")
    (ann / ".gitignore").write_text("", encoding="utf-8")  # someone emptied it
    assert ann_run("search", "tuning").exit_code == 0  # builds .papernotes/index.sqlite
    assert (ann / ".papernotes").is_dir()
    assert ann_run("sync").exit_code == 0
    tracked = git(ann, "ls-files").split()
    assert ".gitignore" in tracked and not [p for p in tracked if p.startswith(".papernotes")]
    assert git(ann, "status", "--porcelain", "--untracked-files=all").startswith("?? .papernotes/")


def test_sync_merges_in_process_exactly_as_git_with_the_driver(shared, tmp_path):
    """sync's replay and `git rebase` (the driver once per record) give the same tree."""
    import shutil

    from papernotes.share.gitrepo import _rebase, _replay

    ann, ann_run = shared("Ann")
    bob, bob_run = shared("Bob")
    for clone, who, tag in ((ann, "Ann", "NTK"), (bob, "Bob", "LTH")):
        for pid in ("H1gEP6NFwr", "HygrAR4tPS"):
            path = clone / "papers" / f"{pid}.yaml"
            body = path.read_text(encoding="utf-8")
            body = body.replace("tags:\n", f"tags:\n- {tag}\n", 1)
            body = body.replace("title: ", f"title: {who}'s ", 1)  # a scalar conflict
            path.write_text(body, encoding="utf-8")
        (clone / "notes").mkdir(exist_ok=True)
        (clone / "notes" / f"{who}.md").write_text(f"# {who}\n", encoding="utf-8")
    assert ann_run("sync").exit_code == 0
    git(bob, "add", "-A")
    git(bob, "commit", "-qm", "Bob's changes")
    git(bob, "fetch", "-q")
    twin = tmp_path / "Bob2"
    shutil.copytree(bob, twin)
    base = git(bob, "merge-base", "HEAD", "origin/main").strip()
    merged = _replay(bob, bob, bob / ".git", base, "refs/remotes/origin/main")
    assert merged == 2
    _rebase(twin, twin, "refs/remotes/origin/main")
    assert git(bob, "rev-parse", "HEAD^{tree}") == git(twin, "rev-parse", "HEAD^{tree}")
    assert git(bob, "log", "-1", "--format=%an %ae %ad %B") == git(
        twin, "log", "-1", "--format=%an %ae %ad %B"
    )
    assert git(bob, "rev-parse", "HEAD^") == git(bob, "rev-parse", "origin/main")
    assert git(bob, "status", "--porcelain") == ""
    data = record(bob)
    assert data["tags"] == ["NTK", "optimization", "LTH"]  # the remote's order, then ours
    assert data["title"].startswith("Ann's ")  # the remote's value stays, Bob's is recorded
    assert data["conflicts"][0]["field"] == "title"
    assert (bob / "notes" / "Ann.md").exists() and (bob / "notes" / "Bob.md").exists()


def test_a_knowledge_base_in_a_subfolder_never_loses_other_work(tmp_path):
    """The repository holds more than the knowledge base; edits outside it are not touched."""
    remote = tmp_path / "remote.git"
    git(tmp_path, "init", "-q", "--bare", "-b", "main", str(remote))
    clones = []
    for name in ("Ann", "Bob"):
        clone = tmp_path / name
        git(tmp_path, "clone", "-q", str(remote), str(clone))
        identity(clone, name)
        clones.append(clone)
    ann, bob = clones
    kb = ann / "kb"
    (kb / "papers").mkdir(parents=True)
    (kb / "tags.yaml").write_text(TAGS, encoding="utf-8")
    (kb / "papers" / "H1gEP6NFwr.yaml").write_text(RECORD, encoding="utf-8")
    (ann / "README").write_text("lab wiki\n", encoding="utf-8")
    Runner(kb)("git", "init")
    git(ann, "add", "-A")
    git(ann, "commit", "-qm", "start")
    git(ann, "push", "-q", "origin", "HEAD:main")
    git(bob, "pull", "-q", "origin", "main")
    Runner(bob / "kb")("git", "init")
    for clone, tag in ((ann, "NTK"), (bob, "LTH")):
        path = clone / "kb" / "papers" / "H1gEP6NFwr.yaml"
        path.write_text(
            path.read_text(encoding="utf-8").replace("tags:\n", f"tags:\n- {tag}\n"),
            encoding="utf-8",
        )
    assert Runner(ann / "kb")("sync").exit_code == 0
    (bob / "README").write_text("lab wiki, edited\n", encoding="utf-8")  # not committed
    result = Runner(bob / "kb")("sync")
    assert result.exit_code == 2
    assert "git rebase failed" in one_error(result) and "nothing was pulled" in result.stderr
    assert (bob / "README").read_text(encoding="utf-8") == "lab wiki, edited\n"
    assert git(bob, "log", "-1", "--format=%s").startswith("papernotes sync: 1 paper(s)")
    git(bob, "stash", "-q")
    done = Runner(bob / "kb")("sync")
    assert done.exit_code == 0, done.stderr
    assert done.stdout == "H1gEP6NFwr: tags +NTK\n"
    assert yaml.safe_load((bob / "kb" / "papers" / "H1gEP6NFwr.yaml").read_text(encoding="utf-8"))[
        "tags"
    ] == ["NTK", "optimization", "LTH"]


def test_plain_git_merge_uses_the_drivers(run, kb):
    """`git merge`: tags.yaml merges by tag; a scalar conflict is reported, file still valid."""
    run("git", "init")
    git(kb, "config", "user.name", "Ann")
    git(kb, "config", "user.email", "ann@example.org")
    git(kb, "add", "-A")
    git(kb, "commit", "-qm", "start")
    git(kb, "branch", "-q", "other")
    record_path = kb / "papers" / "H1gEP6NFwr.yaml"
    tags_path = kb / "tags.yaml"
    for branch, decision, tag in (("other", "Accept (Poster)", "GAN"), ("-", "Withdrawn", "VAE")):
        if branch != "-":
            git(kb, "checkout", "-q", branch)
        else:
            git(kb, "checkout", "-q", "-")
        record_path.write_text(
            record_path.read_text(encoding="utf-8").replace("Reject", decision), encoding="utf-8"
        )
        tags_path.write_text(
            tags_path.read_text(encoding="utf-8")
            + f"  {tag}:\n    en: {tag}\n    zh: {tag}\n    description: {tag} models.\n",
            encoding="utf-8",
        )
        git(kb, "commit", "-qam", f"{decision}, {tag}")
    merged = subprocess.run(["git", "merge", "-q", "other"], cwd=kb, capture_output=True, text=True)
    assert merged.returncode != 0  # the decision conflict: git marks the record
    assert git(kb, "diff", "--name-only", "--diff-filter=U") == "papers/H1gEP6NFwr.yaml\n"
    assert "CONFLICT decision: changed on both sides" in merged.stderr
    text = record_path.read_text(encoding="utf-8")
    assert "<<<<<<<" not in text
    assert yaml.safe_load(text)["conflicts"] == [{"field": "decision", "theirs": "Accept (Poster)"}]
    taxonomy = yaml.safe_load(tags_path.read_text(encoding="utf-8"))
    assert {"GAN", "VAE"} <= set(taxonomy["tags"]) and "conflicts" not in taxonomy
    assert run("show", "H1gEP6NFwr").exit_code == 0
    git(kb, "add", "-A")
    git(kb, "commit", "-qm", "merge")
    assert run("resolve", "H1gEP6NFwr", "--keep").exit_code == 0
    assert run("validate").exit_code == 0


def test_a_refused_https_remote_asks_for_credentials():
    from papernotes.share.gitrepo import _network_error

    url = "https://example.org/reading-group.git"
    stderr = (
        f"remote: Permission to reading-group.git denied.\n"
        f"fatal: unable to access '{url}/': The requested URL returned error: 403\n"
    )
    message = str(_network_error("push to", "origin", url, stderr))
    assert message.startswith(f"cannot push to 'origin': unable to access '{url}/'")
    assert "returned error: 403" in message
    assert message.endswith("(check your credentials or your access to the repository)")
