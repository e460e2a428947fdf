"""The knowledge base as a git repository: setting up the merge driver, and ``sync``.

Every git failure becomes a :class:`GitError` whose message is one line saying what went
wrong and what to do; ``sync`` never leaves a rebase half done.
"""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

from papernotes.errors import ExitCode, PapernotesError, UsageError
from papernotes.model.ids import id_from_filename
from papernotes.store.init import GITIGNORE

ATTRIBUTES = (
    "papers/*.yaml merge=papernotes",
    "tags.yaml merge=papernotes-taxonomy",
)
NOT_SHARED = ":(exclude).papernotes"  # the cache, even where .gitignore does not say so
DRIVERS = {
    "papernotes": "papernotes record merge (notes, tags and fields)",
    "papernotes-taxonomy": "papernotes taxonomy merge (tags by name)",
}


class GitError(PapernotesError):
    """git failed; the message says what to do."""


class GitRemoteError(GitError):
    """The remote could not be reached or refused us (exit code as for network failures)."""

    exit_code = ExitCode.NETWORK


def driver_command() -> str:
    """How git starts the driver: this very Python, so a virtual environment needs no PATH."""
    return f"{shlex.quote(sys.executable)} -m papernotes merge-file %O %A %B --path %P"


def git(
    cwd: Path, *args: str, check: bool = True, input: str | None = None, env: dict | None = None
):
    """Run git without prompts (a sync never waits for input) or an editor, in English."""
    env = {
        **os.environ,
        "GIT_TERMINAL_PROMPT": "0",
        "GIT_EDITOR": "true",
        "LC_ALL": "C",
        **(env or {}),
    }
    try:
        done = subprocess.run(
            ["git", *args], cwd=cwd, capture_output=True, text=True, env=env, input=input
        )
    except FileNotFoundError:
        raise GitError("git is not installed; install it to share a knowledge base") from None
    if check and done.returncode != 0:
        raise GitError(f"git {args[0]} failed: {last_line(done.stderr or done.stdout)}")
    return done


def last_line(text: str) -> str:
    lines = [
        line.strip()
        for line in text.splitlines()
        if line.strip() and not line.startswith(("hint:", "papernotes:"))
    ]
    return lines[-1] if lines else "no message"


def find_git_dir(root: Path) -> Path | None:
    """The folder holding ``.git`` at or above ``root`` (no process started)."""
    for folder in [root.resolve(), *root.resolve().parents]:
        if (folder / ".git").exists():
            return folder
    return None


def driver_configured(root: Path) -> bool:
    done = git(root, "config", "--get", "merge.papernotes.driver", check=False)
    return done.returncode == 0 and bool(done.stdout.strip())


def setup(root: Path) -> list[str]:
    """Make ``root`` a repository (if needed) whose records merge with papernotes: writes
    .gitattributes and the drivers into the repository's config. Idempotent."""
    done: list[str] = []
    if find_git_dir(root) is None:
        git(root, "init", "-q")
        done.append("initialised a git repository")
    attributes = root / ".gitattributes"
    text = attributes.read_text(encoding="utf-8") if attributes.exists() else ""
    have = {line.strip() for line in text.splitlines()}
    missing = [line for line in ATTRIBUTES if line not in have]
    if missing:
        if text and not text.endswith("\n"):
            text += "\n"
        text += "".join(line + "\n" for line in missing)
        attributes.write_text(text, encoding="utf-8")
        done.append("wrote .gitattributes (" + ", ".join(missing) + ")")
    ignore = root / ".gitignore"
    ignored = ignore.read_text(encoding="utf-8") if ignore.exists() else ""
    if ".papernotes/" not in ignored.split():
        sep = "\n" if ignored and not ignored.endswith("\n") else ""
        ignore.write_text(ignored + sep + GITIGNORE, encoding="utf-8")
        done.append("added the cache folder .papernotes/ to .gitignore")
    for name, title in DRIVERS.items():
        for key, value in (("name", title), ("driver", driver_command())):
            current = git(root, "config", "--get", f"merge.{name}.{key}", check=False)
            if current.stdout.strip() != value:
                git(root, "config", f"merge.{name}.{key}", value)
                if key == "driver":
                    done.append(f"configured merge driver {name!r} in .git/config")
    return done


# -- sync ---------------------------------------------------------------------------------
@dataclass
class SyncReport:
    committed: list[str] = field(default_factory=list)  # paper ids in our commit
    incoming: list[str] = field(default_factory=list)  # one line per paper that came in
    conflicts: list[str] = field(default_factory=list)  # recorded conflicts, one per paper
    pushed: bool = False
    remote: str = ""
    merged: int = 0  # records merged in this process (see _replay)


def _changed_files(root: Path) -> tuple[list[str], list[str]]:
    """Changed paths under ``root`` (relative to the top of the repository, the cache
    excluded even where .gitignore does not say so) and the ids of the records among them."""
    args = ["status", "--porcelain", "-z", "--untracked-files=all", "--", ".", NOT_SHARED]
    entries = git(root, *args).stdout.split("\0")
    paths: list[str] = []
    i = 0
    while i < len(entries):
        entry = entries[i]
        i += 1
        if not entry:
            continue
        paths.append(entry[3:])
        if "R" in entry[:2]:  # the old name follows
            paths.append(entries[i])
            i += 1
    ids = {
        id_from_filename(Path(p).name)
        for p in paths
        if Path(p).parent.name == "papers" and p.endswith(".yaml")
    }
    return paths, sorted(ids)


def _state_problem(gitdir: Path) -> str | None:
    for name, what in (
        ("rebase-merge", "rebase"),
        ("rebase-apply", "rebase"),
        ("MERGE_HEAD", "merge"),
    ):
        if (gitdir / name).exists():
            return (
                f"a {what} is in progress in this repository; finish it or abort it "
                f"('git {what} --abort') and run 'papernotes sync' again"
            )
    return None


def _config(root: Path) -> dict[str, str]:
    out = git(root, "config", "-z", "--list").stdout
    pairs = (entry.split("\n", 1) for entry in out.split("\0") if entry)
    return {pair[0]: pair[1] if len(pair) > 1 else "" for pair in pairs}


def _upstream(config: dict[str, str], branch: str) -> tuple[str, str]:
    """(remote, remote branch) to sync with."""
    remote = config.get(f"branch.{branch}.remote", "")
    merge = config.get(f"branch.{branch}.merge", "")
    if remote and merge:
        return remote, merge.removeprefix("refs/heads/")
    remotes = [
        k[len("remote.") : -len(".url")]
        for k in config
        if k.startswith("remote.") and k.endswith(".url")
    ]
    if not remotes:
        raise GitError(
            "this repository has no remote to sync with; add one: git remote add origin URL"
        )
    return ("origin" if "origin" in remotes else remotes[0]), branch


AUTH_WORDS: tuple[str, ...] = ("authentication", "permission denied", "could not read username")
AUTH_WORDS += ("error: 403", "returned error: 403", " 403 forbidden")
REACH_WORDS: tuple[str, ...] = ("could not resolve", "unable to access", "connection", "timed out")
REACH_WORDS += ("does not appear to be a git repository", "not found", "no such")


def cause_line(stderr: str) -> str:
    """git's first ``fatal:``/``error:`` line, without its prefix: the cause, where the last
    line is often advice ("and the repository exists.")."""
    for line in stderr.splitlines():
        head, sep, rest = line.strip().partition(": ")
        if sep and head in ("fatal", "error") and rest.strip():
            return rest.strip()
    return last_line(stderr)


def _network_error(what: str, remote: str, url: str, stderr: str) -> GitRemoteError:
    # Classify with the remote's URL taken out: a path such as /tmp/pytest-403/ or a host
    # name holding "connection" must not decide the hint.
    lowered = stderr.replace(url, "URL").lower() if url else stderr.lower()
    if any(w in lowered for w in AUTH_WORDS):
        hint = "check your credentials or your access to the repository"
    elif any(w in lowered for w in REACH_WORDS):
        hint = f"check that remote {remote!r} is reachable ('git remote -v')"
    else:
        hint = "see 'git status'"
    return GitRemoteError(f"cannot {what} {remote!r}: {cause_line(stderr)} ({hint})")


def _rebase(root: Path, top: Path, onto: str) -> None:
    """Rebase onto ``onto``; accept files the driver merged with recorded conflicts; abort
    (and raise) on anything else, so the work tree is never left half merged."""
    done = git(root, "rebase", onto, check=False)
    for _ in range(1000):
        if done.returncode == 0:
            return
        unmerged = [
            p
            for p in git(root, "diff", "--name-only", "-z", "--diff-filter=U").stdout.split("\0")
            if p
        ]
        stuck = [p for p in unmerged if not _merged_by_driver(top, p)]
        if stuck or not unmerged:
            git(root, "rebase", "--abort", check=False)
            if not unmerged:
                raise GitError(
                    f"git rebase failed: {last_line(done.stderr or done.stdout)}; "
                    "nothing was pulled"
                )
            more = f" (and {len(stuck) - 1} more file(s))" if len(stuck) > 1 else ""
            raise GitError(
                f"{stuck[0]}{more} changed on both sides in a way papernotes cannot merge; "
                "your commit is kept and nothing was pulled: merge by hand with "
                "'git pull --rebase', then run 'papernotes sync' again"
            )
        git(top, "add", "--", *unmerged)
        done = git(root, "rebase", "--continue", check=False)
        if done.returncode != 0 and "No changes" in done.stdout + done.stderr:
            done = git(root, "rebase", "--skip", check=False)  # the merge equals theirs
    git(root, "rebase", "--abort", check=False)
    raise GitError("git rebase did not finish; nothing was pulled")


def _mergeable(path: str) -> bool:
    rel = Path(path)
    return rel.name.endswith(".yaml") and (rel.parent.name == "papers" or rel.name == "tags.yaml")


def _replay(root: Path, top: Path, gitdir: Path, base: str, tracking: str) -> int | None:
    """Our one commit put on top of ``tracking``, as ``git rebase`` with the driver would,
    but with every record changed on both sides merged in this process (the driver's own
    merge) instead of one driver process per file. Returns how many records were merged, or
    None when it does not apply (several local commits, a file other than a record changed
    on both sides, a record deleted on one side, a side that does not load, uncommitted
    changes elsewhere in the repository): the caller then rebases, and git's own answer
    decides."""
    head, parent = _revs(root, "HEAD", "HEAD^")
    if not head or parent != base:
        return None
    if git(top, "status", "--porcelain", "--untracked-files=no").stdout:
        return None  # changes outside the knowledge base: reset --hard would lose them
    out = git(top, "diff", "--name-status", "-z", "--no-renames", base, head).stdout.split("\0")
    ours = {out[i + 1]: out[i] for i in range(0, len(out) - 1, 2)}
    merged = _merge_both_sides(top, base, head, tracking, ours)
    if merged is None:
        return None
    index = gitdir / "papernotes-sync-index"
    temp = gitdir / "papernotes-sync-merged"
    env = {"GIT_INDEX_FILE": str(index)}
    try:
        git(top, "read-tree", tracking, env=env)
        entries = _our_entries(top, head, [p for p in ours if p not in merged])
        if merged:
            entries += _merged_entries(top, temp, merged)
        git(
            top,
            "update-index",
            "-z",
            "--index-info",
            input="".join(e + "\0" for e in entries),
            env=env,
        )
        tree = git(top, "write-tree", env=env).stdout.strip()
        commit = _commit_onto(top, tree, head, tracking)
    finally:
        index.unlink(missing_ok=True)
        if temp.exists():
            shutil.rmtree(temp, ignore_errors=True)
    if commit == "" or tree == git(top, "rev-parse", f"{tracking}^{{tree}}").stdout.strip():
        git(top, "reset", "-q", "--hard", tracking)  # nothing of ours is left: as rebase drops it
    else:
        git(top, "reset", "-q", "--hard", commit)
    return len(merged)


def _merge_both_sides(
    top: Path, base: str, head: str, tracking: str, ours: dict[str, str]
) -> dict[str, str] | None:
    """The merged text of every record changed on both sides, or None when one cannot be."""
    from papernotes.share.merge import MergeError, merge_records, merge_taxonomies

    theirs = set(
        git(top, "diff", "--name-only", "-z", "--no-renames", base, tracking).stdout.split("\0")
    )
    both = [p for p in ours if p in theirs]
    if any(ours[p] == "D" or not _mergeable(p) for p in both):
        return None
    blobs = _blobs(top, [f"{rev}:{p}" for p in both for rev in (base, head, tracking)])
    merged: dict[str, str] = {}
    for i, path in enumerate(both):
        old, mine, upstream = blobs[3 * i : 3 * i + 3]
        if mine is None or upstream is None:
            return None
        merge = merge_taxonomies if Path(path).name == "tags.yaml" else merge_records
        try:  # ours is the remote's version, theirs our commit's, as in a rebase
            merged[path] = merge(old, upstream, mine, path).text
        except MergeError:
            return None
    return merged


def _our_entries(top: Path, head: str, only_ours: list[str]) -> list[str]:
    """Index lines for the files only our commit changed (mode 0 for a deleted one)."""
    entries = []
    zero = "0" * len(head)
    listed = (
        git(top, "ls-tree", "-z", "--full-tree", head, "--", *only_ours).stdout if only_ours else ""
    )
    modes = {}
    for line in listed.split("\0"):
        if line:
            meta, path = line.split("\t", 1)
            mode, _, sha = meta.split()
            modes[path] = f"{mode} {sha}"
    for path in only_ours:
        entries.append(f"{modes[path]}\t{path}" if path in modes else f"0 {zero}\t{path}")
    return entries


def _merged_entries(top: Path, temp: Path, merged: dict[str, str]) -> list[str]:
    """Index lines for the merged records, written as blobs through ``temp``."""
    temp.mkdir(exist_ok=True)
    files = []
    for n, text in enumerate(merged.values()):
        (temp / str(n)).write_text(text, encoding="utf-8")
        files.append(str(temp / str(n)))
    shas = git(
        top, "hash-object", "-w", "--stdin-paths", input="\n".join(files) + "\n"
    ).stdout.split()
    return [f"100644 {sha}\t{path}" for sha, path in zip(shas, merged, strict=True)]


def _commit_onto(top: Path, tree: str, head: str, tracking: str) -> str:
    """A commit of ``tree`` on ``tracking`` with ``head``'s author, date and message."""
    info = git(top, "log", "-1", "--format=%an%x00%ae%x00%aI%x00%B", head).stdout.split("\0", 3)
    author = {
        "GIT_AUTHOR_NAME": info[0],
        "GIT_AUTHOR_EMAIL": info[1],
        "GIT_AUTHOR_DATE": info[2],
    }
    return git(
        top,
        "commit-tree",
        tree,
        "-p",
        tracking,
        "-F",
        "-",
        input=info[3].rstrip("\n") + "\n",
        env=author,
    ).stdout.strip()


def _merged_by_driver(top: Path, path: str) -> bool:
    """A file our driver merged (with a recorded conflict): valid YAML, no markers."""
    rel = Path(path)
    if not (
        rel.name.endswith(".yaml") and (rel.parent.name == "papers" or rel.name == "tags.yaml")
    ):
        return False
    try:
        text = (top / rel).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return False  # deleted on one side, or not text
    if "<<<<<<<" in text or ">>>>>>>" in text:
        return False
    from papernotes.store.yamlio import YamlProblem, parse

    try:
        parse(text)
    except YamlProblem:
        return False
    return True


def _commit(root: Path, top: Path) -> list[str]:
    """Commit every change under ``root``; the ids of the records changed."""
    paths, ids = _changed_files(root)
    if not paths:
        return []
    add = ["add", "-A", "--pathspec-from-file=-", "--pathspec-file-nul"]
    git(top, *add, input="\0".join(paths))
    subject = "papernotes sync"
    if ids:
        shown = ", ".join(ids[:5]) + (f" and {len(ids) - 5} more" if len(ids) > 5 else "")
        subject += f": {len(ids)} paper(s) ({shown})"
    body = "\n".join(f"- papers/{i}" for i in ids)
    done = git(root, "commit", "-q", "-m", subject + ("\n\n" + body if body else ""), check=False)
    if done.returncode != 0:
        text = done.stderr + done.stdout
        if "tell me who you are" in text or "user.email" in text or "ident" in text:
            raise GitError(
                "git does not know who you are; run 'git config user.name \"Your Name\"' "
                "and 'git config user.email you@example.org', then sync again"
            )
        raise GitError(f"git commit failed: {last_line(text)}")
    return ids


def _revs(root: Path, *names: str) -> list[str]:
    """Commit ids of ``names`` ('' for one that does not exist); one git run when all do."""
    done = git(root, "rev-parse", "--end-of-options", *names, check=False)
    lines = done.stdout.split()
    if done.returncode == 0 and len(lines) == len(names):
        return lines
    out = []
    for name in names:
        one = git(root, "rev-parse", "-q", "--verify", "--end-of-options", name, check=False)
        out.append(one.stdout.strip() if one.returncode == 0 else "")
    return out


def sync(root: Path, attempts: int = 3, replay: bool = True) -> SyncReport:
    """Commit local changes, rebase onto the remote with the driver, push.

    With ``replay`` (the default) a single local commit is moved onto the remote by
    :func:`_replay`, merging records in this process; ``replay=False`` always runs
    ``git rebase``, where git starts the driver once per record changed on both sides."""
    gitdir, top, branch, config = _checked_clone(root)
    remote, remote_branch = _upstream(config, branch)
    url = config.get(f"remote.{remote}.url", "")
    report = SyncReport(remote=remote)
    report.committed = _commit(root, top)
    tracking = f"refs/remotes/{remote}/{remote_branch}"
    for attempt in range(attempts):
        fetch = git(root, "fetch", "-q", remote, check=False)
        if fetch.returncode != 0:
            raise _network_error("fetch from", remote, url, fetch.stderr)
        ours, theirs = _revs(root, "HEAD", tracking)
        if theirs and ours != theirs:
            _catch_up(root, top, gitdir, tracking, ours, theirs, report, replay)
            ours = _revs(root, "HEAD")[0]
        if not ours or ours == theirs:
            break  # nothing of ours to push
        if _pushed(root, remote, remote_branch, url, retry=attempt + 1 < attempts):
            report.pushed = True
            break
    if not config.get(f"branch.{branch}.remote") and _revs(root, tracking)[0]:
        git(root, "branch", "-q", f"--set-upstream-to={remote}/{remote_branch}", check=False)
    report.conflicts = recorded_conflicts(root)
    return report


def _checked_clone(root: Path) -> tuple[Path, Path, str, dict[str, str]]:
    """The git dir, work tree top, branch and config of a clone ready to sync, or an error."""
    if find_git_dir(root) is None:
        raise UsageError(
            f"{root} is not a git repository; run 'papernotes git init' and "
            "'git remote add origin URL'"
        )
    where = git(root, "rev-parse", "--absolute-git-dir", "--show-toplevel").stdout.split("\n")
    gitdir, top = Path(where[0]), Path(where[1])
    try:  # "ref: refs/heads/main", or a commit id when detached
        head = (gitdir / "HEAD").read_text(encoding="utf-8").strip().removeprefix("ref: ")
    except OSError:
        head = ""
    problem = _state_problem(gitdir)
    if problem:
        raise GitError(problem)
    if not head.startswith("refs/heads/"):
        raise GitError(
            "HEAD is detached (not on a branch); switch to your branch ('git switch main') "
            "and run 'papernotes sync' again"
        )
    branch = head.removeprefix("refs/heads/")
    config = _config(root)
    attributes = root / ".gitattributes"
    have = attributes.read_text(encoding="utf-8").splitlines() if attributes.is_file() else []
    if not config.get("merge.papernotes.driver") or not set(ATTRIBUTES) <= set(have):
        raise GitError(
            "the papernotes merge driver is not set up in this clone; run 'papernotes git init'"
        )
    return gitdir, top, branch, config


def _catch_up(
    root: Path,
    top: Path,
    gitdir: Path,
    tracking: str,
    ours: str,
    theirs: str,
    report: SyncReport,
    replay: bool,
) -> None:
    """Move our branch onto the fetched ``tracking``: reset, replay or rebase."""
    if not ours:
        git(root, "reset", "-q", "--hard", tracking)
        report.incoming = incoming(root, top, "", tracking)
    else:
        base = git(root, "merge-base", "HEAD", tracking, check=False).stdout.strip()
        if base != theirs:  # the remote has commits we do not
            merged = _replay(root, top, gitdir, base, tracking) if replay else None
            if merged is None:
                _rebase(root, top, tracking)
            else:
                report.merged += merged
            report.incoming += incoming(root, top, base, tracking)


def _pushed(root: Path, remote: str, remote_branch: str, url: str, retry: bool) -> bool:
    """Push HEAD; False when rejected as non-fast-forward and ``retry`` allows another go."""
    push = git(root, "push", "-q", remote, f"HEAD:refs/heads/{remote_branch}", check=False)
    if push.returncode == 0:
        return True
    text = push.stderr.lower()
    if "non-fast-forward" in text or "fetch first" in text or "rejected" in text:
        if retry:
            return False
        raise GitError(
            f"{remote!r} kept moving while syncing (push rejected as non-fast-forward); "
            "run 'papernotes sync' again"
        )
    raise _network_error("push to", remote, url, push.stderr)


def incoming(root: Path, top: Path, base: str, tracking: str) -> list[str]:
    """One line per record the remote changed since ``base``: what came in."""
    from papernotes.share.summary import describe_change

    if base:
        args = ["diff", "--name-status", "-z", "--no-renames", base, tracking]
        out = git(root, *args, "--", ".").stdout.split("\0")
        pairs = [(out[i], out[i + 1]) for i in range(0, len(out) - 1, 2)]
    else:
        args = ["ls-tree", "-r", "--name-only", "--full-name", "-z", tracking]
        pairs = [("A", p) for p in git(root, *args, "--", ".").stdout.split("\0") if p]
    prefix = Path(root).resolve().relative_to(top.resolve())
    wanted = []
    for status, path in pairs:
        rel = Path(path).relative_to(prefix)
        if rel.parts[:1] == ("papers",) and rel.name.endswith(".yaml"):
            wanted.append((status, path, id_from_filename(rel.name)))
    requests = []
    for status, path, _ in wanted:
        requests.append(f"{base}:{path}" if base and status != "A" else "")
        requests.append(f"{tracking}:{path}" if status != "D" else "")
    blobs = _blobs(root, requests)
    return [
        describe_change(pid, blobs[2 * i], blobs[2 * i + 1]) for i, (_, _, pid) in enumerate(wanted)
    ]


def _blobs(root: Path, requests: list[str]) -> list[str | None]:
    """The text of each ``rev:path`` ('' or missing: None), read by one git process."""
    asked = [r for r in requests if r]
    if not asked:
        return [None] * len(requests)
    done = subprocess.run(
        ["git", "cat-file", "--batch"],
        cwd=root,
        input="".join(r + "\n" for r in asked).encode("utf-8"),
        capture_output=True,
    )
    data, pos = done.stdout, 0
    found: list[str | None] = []
    for _ in asked:
        end = data.index(b"\n", pos)
        header = data[pos:end].split()
        pos = end + 1
        if len(header) == 3 and header[1] == b"blob":
            size = int(header[2])
            found.append(data[pos : pos + size].decode("utf-8", errors="replace"))
            pos += size + 1
        else:
            found.append(None)
    it = iter(found)
    return [next(it) if r else None for r in requests]


def recorded_conflicts(root: Path) -> list[str]:
    """One line per record holding an unsettled conflict."""
    out = []
    for path in sorted((root / "papers").glob("*.yaml")):
        try:
            text = path.read_text(encoding="utf-8")
        except OSError:
            continue
        if "\nconflicts:\n" not in text:
            continue
        pid = id_from_filename(path.name)
        from papernotes.store.yamlio import YamlProblem, parse

        try:
            data, _ = parse(text)
        except YamlProblem:
            continue
        fields = [
            str(c.get("field")) for c in (data or {}).get("conflicts") or [] if isinstance(c, dict)
        ]
        if fields:
            out.append(
                f"{pid}: {', '.join(fields)} changed on both sides; run 'papernotes resolve {pid}'"
            )
    return out
