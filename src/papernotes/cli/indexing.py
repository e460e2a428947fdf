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
    """A rich progress bar on stderr that appears only once work has taken a moment."""

    def __init__(self, env: Env, label: str):
        self.env = env
        self.label = label
        self.started = time.monotonic()
        self.bar: Progress | None = None
        self.task: TaskID | None = None
        self.enabled = is_tty(stderr=True)

    def __call__(self, done: int, total: int) -> None:
        if not self.enabled:
            return
        if self.bar is None:
            if done >= total or time.monotonic() - self.started < SHOW_AFTER:
                return
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

            bar = Progress(
                TextColumn("{task.description}"),
                BarColumn(),
                MofNCompleteColumn(),
                console=console(self.env, stderr=True),
                transient=True,
            )
            bar.start()
            self.bar, self.task = bar, bar.add_task(self.label, total=total)
        if self.task is not None:
            self.bar.update(self.task, completed=done, total=total)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.stop()
            self.bar = None


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
