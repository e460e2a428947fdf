"""An index file that is valid SQLite with the right schema version but inconsistent rows
(emptied tables, rows that are not JSON, a wrong count) is rebuilt, never trusted."""

from __future__ import annotations

import sqlite3

import pytest

from .conftest import no_traceback
from .test_index import _drop_side_files, ids, indexed  # noqa: F401 - fixture

BROKEN = {
    "docs-emptied": "DELETE FROM docs",  # exit 70: KeyError (fts rowid without a doc)
    "tags-not-json": "UPDATE docs SET tags = 'not json'",  # exit 70: JSONDecodeError
    "texts-not-json": "UPDATE docs SET texts = '{'",  # exit 70: JSONDecodeError
    "papers-not-int": "UPDATE meta SET value = 'x' WHERE key = 'papers'",  # exit 70: ValueError
    "fts-emptied": "DELETE FROM fts",  # exit 0 but finds nothing: a silently wrong answer
}


@pytest.mark.parametrize("name", sorted(BROKEN))
def test_inconsistent_index_is_rebuilt(indexed, run, name):  # noqa: F811
    kb, index = indexed
    _drop_side_files(index)
    conn = sqlite3.connect(index)
    conn.execute(BROKEN[name])
    conn.commit()
    conn.close()
    result = run("search", "ntk", "--json")
    no_traceback(result.stdout, result.stderr)
    assert result.exit_code == 0, result.stderr
    assert ids(result) == ["ntkpaper01"]
