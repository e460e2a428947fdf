"""The reading-notes importer: Markdown, Org or plain text in which an entry starts at a
link to a paper (see :mod:`papernotes.importers.parse`)."""

from __future__ import annotations

from pathlib import Path

from papernotes.importers.parse import ParsedFile, parse_notes


class NotesImporter:
    name = "notes"

    def can_read(self, path: Path, text: str) -> bool:  # noqa: ARG002 (the protocol's signature)
        return True  # any text: a file without a paper link simply yields no entry

    def parse(self, text: str, source: str, shown: str) -> ParsedFile:
        return parse_notes(text, source, shown)


NOTES = NotesImporter()
