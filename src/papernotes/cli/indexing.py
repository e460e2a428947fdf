"""Opening the search index from a command: a progress bar for long rebuilds, load warnings.

Kept free of heavy imports: rich loads only when a bar is actually shown.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from papernotes.cli.common import Env, console, is_tty, warn

if TYPE_CHECKING:
    from rich.progress import Progress, TaskID

    from papernotes.index import Index, RefreshStats

SHOW_AFTER = 0.4  # seconds of indexing before a bar appears


class LazyProgress:
    """The progress bar of every command: rich, on stderr, only on a terminal, and only once
    the work has taken ``show_after`` seconds and counts at least ``min_total`` items.

    Call it with ``(done, total)``, and optionally a ``detail`` shown after the count (the
    item just done) or the ``label`` of another stage (each label gets its own bar).
    """

    def __init__(self, env: Env, label: str, show_after: float | None = None, min_total: int = 0):
        self.env = env
        self.label = label
        self.show_after = SHOW_AFTER if show_after is None else show_after
        self.min_total = min_total
        self.started = time.monotonic()
        self.bar: Progress | None = None
        self.tasks: dict[str, TaskID] = {}
        self.enabled = is_tty(stderr=True)

    def __call__(self, done: int, total: int, detail: str = "", label: str | None = None) -> None:
        if not self.enabled or total < self.min_total:
            return
        label = label or self.label
        bar = self.bar
        if bar is None:
            if done >= total or time.monotonic() - self.started < self.show_after:
                return
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

            bar = Progress(
                TextColumn("{task.description}"),
                BarColumn(),
                MofNCompleteColumn(),
                TextColumn("{task.fields[detail]}"),
                console=console(self.env, stderr=True),
                transient=True,
            )
            bar.start()
            self.bar = bar
        if label not in self.tasks:
            self.tasks[label] = bar.add_task(label, total=total, detail="")
        bar.update(self.tasks[label], completed=done, total=total, detail=detail)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.stop()
            self.bar = None

    def __enter__(self) -> LazyProgress:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def refreshed(index: Index, env: Env, force: bool = False) -> RefreshStats:
    """Refresh ``index`` (rebuild when ``force``) with a progress bar; warn about bad records."""
    progress = LazyProgress(env, "Indexing records")
    try:
        stats = index.refresh(progress=progress, force=force)
    finally:
        progress.close()
    if stats.skipped:
        first = f" (first: {stats.problems[0]})" if stats.problems else ""
        warn(
            f"{stats.skipped} record(s) could not be loaded and are not searched; "
            f"run 'papernotes validate'{first}"
        )
    return stats
