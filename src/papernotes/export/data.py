"""JSON and YAML of the selected records, field for field as stored (re-importable)."""

from __future__ import annotations

import json

from papernotes.model.record import Paper
from papernotes.store.records import record_data
from papernotes.store.yamlio import dump


def to_json(papers: list[Paper]) -> str:
    data = [record_data(p) for p in papers]
    return json.dumps(data, ensure_ascii=False, indent=2, default=str) + "\n"


def to_yaml(papers: list[Paper]) -> str:
    """A YAML list of records in canonical form ('[]' when empty)."""
    return dump([record_data(p) for p in papers]) if papers else "[]\n"


def export_json(job) -> str:
    """``papernotes export -f json`` (see papernotes.export.EXPORTERS)."""
    return to_json(job.papers)


def export_yaml(job) -> str:
    """``papernotes export -f yaml`` (see papernotes.export.EXPORTERS)."""
    return to_yaml(job.papers)
