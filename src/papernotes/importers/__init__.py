"""Importers: files in, knowledge-base records out.

``source`` reads a file in any common encoding; an importer's ``parse`` turns text into
entries (pure), each naming a paper by any kind of id (OpenReview, arXiv, DOI, URL);
``resolve`` gives each paper a title, catalog facts, note languages and resolved links
(pure); ``merge`` combines drafts with existing records without taking anything away
(pure); ``run`` ties them together and writes under the lock.

``IMPORTERS`` names the importers, first tried first: a new one is a module with an
object that has the :class:`Importer` methods, and one entry here.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from papernotes.registry import load

if TYPE_CHECKING:
    from papernotes.importers.parse import ParsedFile


class Importer(Protocol):
    def can_read(self, path: Path, text: str) -> bool:
        """Whether this importer understands the file (its name and decoded text)."""
        ...

    def parse(self, text: str, source: str, shown: str) -> ParsedFile:
        """The file's entries and warnings; ``source`` is recorded on each note and
        ``shown`` names the file in messages."""
        ...


@dataclass(frozen=True)
class ImporterEntry:
    name: str
    help: str  # what it reads, for --help and messages
    target: str  # "module:object" with the Importer methods

    def load(self) -> Importer:
        return load(self.target)


IMPORTERS = {
    e.name: e
    for e in (
        ImporterEntry(
            "notes",
            "reading notes: Markdown, Org or plain text where an entry starts at a paper link",
            "papernotes.importers.notes:NOTES",
        ),
    )
}


def importer_for(path: Path, text: str) -> Importer:
    """The first registered importer that can read the file."""
    for entry in IMPORTERS.values():
        importer = entry.load()
        if importer.can_read(path, text):
            return importer
    raise LookupError(f"no importer reads {path}")  # the notes importer reads any text
