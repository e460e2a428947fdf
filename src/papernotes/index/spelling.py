"""Did you mean …: corrections for query words the index has never seen, from its own words.

A Latin word is corrected to indexed words within a small edit distance (an insertion,
deletion, substitution or swap of neighbours counts one: ``lotery`` -> ``lottery``,
``adverserial`` -> ``adversarial``). A run of Chinese with a bigram the index lacks is
corrected to indexed words of about its length that share characters with it at the same
places (``收练`` -> ``收敛``, ``训练``): the glossary's and the taxonomy's Chinese terms, and the
runs one changed character away whose every bigram the index holds. Candidates are ranked by
closeness, then by how many papers use them.
"""

from __future__ import annotations

import sqlite3

from papernotes.index.documents import glossary_token
from papernotes.index.query import And, Filter, Node, Not, Or, Term, _forms
from papernotes.text import is_cjk, query_terms

MAX_SUGGESTIONS = 3
MIN_LATIN = 3  # shorter words are left alone: too many neighbours
MAX_WORDS = 5  # words corrected per query: each costs a scan of the index's words


def max_distance(word: str) -> int:
    return 1 if len(word) <= 5 else 2


def unknown_words(conn: sqlite3.Connection, tree: Node | None) -> list[Term]:
    """The words the query must find (not under ``-``/NOT) that no paper has."""
    terms = [t for t in _positive_terms(tree) if not (t.prefix or t.quoted) and len(t.groups) == 1]
    tokens = {tok for t in terms for tok in _needed(t)}
    known = _known(conn, tokens)
    out: list[Term] = []
    for term in terms:
        needed = _needed(term)
        group = term.groups[0]
        if is_cjk(group[0][0]):
            missing = not needed <= known
        else:
            missing = not any(form in known for form in _forms(group[0]))
        if missing and term.text not in {t.text for t in out}:
            out.append(term)
    return out


def suggestions(conn: sqlite3.Connection, tree: Node | None) -> dict[str, list[tuple[str, int]]]:
    """Corrections, best first, with their distance, for every unknown word that has some."""
    out: dict[str, list[tuple[str, int]]] = {}
    for term in unknown_words(conn, tree)[:MAX_WORDS]:
        group = term.groups[0]
        if is_cjk(group[0][0]):
            found = _cjk_candidates(conn, "".join([group[0], *(b[1] for b in group[1:])]))
        elif len(group[0]) >= MIN_LATIN and group[0].isalpha():
            found = _latin_candidates(conn, group[0])
        else:
            found = []
        if found:
            out[term.text] = found
    return out


def corrected(tree: Node, fixes: dict[str, list[str]]) -> Node:
    """``tree`` with each corrected word replaced by its closest corrections (any of them)."""
    if isinstance(tree, Term):
        words = fixes.get(tree.text)
        if not words or tree.quoted:
            return tree
        terms: list[Node] = [Term(w, query_terms(w)) for w in words]
        return terms[0] if len(terms) == 1 else Or(terms)
    if isinstance(tree, Not):
        return Not(corrected(tree.node, fixes))
    if isinstance(tree, And):
        return And([corrected(n, fixes) for n in tree.nodes])
    if isinstance(tree, Or):
        return Or([corrected(n, fixes) for n in tree.nodes])
    return tree


def closest(fixes: dict[str, list[tuple[str, int]]]) -> dict[str, list[str]]:
    """Of ranked ``(word, distance)`` candidates, the words at the smallest distance."""
    out = {}
    for typed, ranked in fixes.items():
        best = min(d for _, d in ranked)
        out[typed] = [w for w, d in ranked if d == best]
    return out


# -- internals -----------------------------------------------------------------------------
def _positive_terms(node: Node | None, positive: bool = True) -> list[Term]:
    if node is None or isinstance(node, Filter):
        return []
    if isinstance(node, Term):
        return [node] if positive else []
    if isinstance(node, Not):
        return _positive_terms(node.node, not positive)
    return [t for n in node.nodes for t in _positive_terms(n, positive)]


def _needed(term: Term) -> set[str]:
    group = term.groups[0]
    if is_cjk(group[0][0]):
        return set(group)
    return set(_forms(group[0]))


def _known(conn: sqlite3.Connection, tokens: set[str]) -> set[str]:
    """Which of ``tokens`` some paper has, in its own words or in its glossary column."""
    wanted = {tok: tok for tok in tokens} | {glossary_token(tok): tok for tok in tokens}
    known: set[str] = set()
    ordered = sorted(wanted)
    for i in range(0, len(ordered), 500):
        part = ordered[i : i + 500]
        marks = ",".join("?" * len(part))
        known.update(
            wanted[t]
            for (t,) in conn.execute(f"SELECT term FROM fts_vocab WHERE term IN ({marks})", part)
        )
    return known


def _starting(conn: sqlite3.Connection, prefix: str) -> list[tuple[str, int]]:
    """Indexed words starting with ``prefix`` (also as glossary-column tokens), with the
    number of papers holding each (the larger count of the two)."""
    found: dict[str, int] = {}
    for head in ("", glossary_token("")):
        low = head + prefix
        high = low[:-1] + chr(ord(low[-1]) + 1)
        for term, docs in conn.execute(
            "SELECT term, doc FROM fts_vocab WHERE term >= ? AND term < ?", (low, high)
        ):
            word = term[len(head) :]
            found[word] = max(found.get(word, 0), docs)
    return list(found.items())


def _latin_candidates(conn: sqlite3.Connection, word: str) -> list[tuple[str, int]]:
    limit = max_distance(word)
    seen: dict[str, tuple[int, int]] = {}
    # the same first letter, or the same second one (a first letter left out or added)
    for prefix in dict.fromkeys([word[0], word[1]]):
        for term, docs in _starting(conn, prefix):
            if term in seen or abs(len(term) - len(word)) > limit or not term.isascii():
                continue
            distance = _distance(word, term, limit)
            if 0 < distance <= limit:
                seen[term] = (distance, docs)
    ranked = sorted(seen.items(), key=lambda kv: (kv[1][0], -kv[1][1], kv[0]))
    return [(term, d) for term, (d, _) in ranked[:MAX_SUGGESTIONS]]


def _distance(a: str, b: str, limit: int) -> int:
    """Optimal string alignment distance, or ``limit + 1`` once it must exceed ``limit``."""
    previous2: list[int] | None = None
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        row = [i] + [0] * len(b)
        for j, cb in enumerate(b, 1):
            cost = 0 if ca == cb else 1
            row[j] = min(previous[j] + 1, row[j - 1] + 1, previous[j - 1] + cost)
            if (
                previous2 is not None
                and i > 1
                and j > 1
                and ca == b[j - 2]
                and a[i - 2] == cb
                and ca != cb
            ):
                row[j] = min(row[j], previous2[j - 2] + 1)
        if min(row) > limit:
            return limit + 1
        previous2, previous = previous, row
    return previous[-1]


def _cjk_candidates(conn: sqlite3.Connection, run: str) -> list[tuple[str, int]]:
    words: set[str] = set()
    for (term,) in conn.execute("SELECT DISTINCT term FROM glossary"):
        if term and is_cjk(term[0]) and abs(len(term) - len(run)) <= 1:
            words.add(term)
    for (names,) in conn.execute("SELECT names FROM tag_info"):
        from papernotes.index.store import decoded

        for name in decoded(names):
            if isinstance(name, str) and name and all(is_cjk(c) for c in name):
                if abs(len(name) - len(run)) <= 1:
                    words.add(name)
    # one character changed where the run has a left neighbour: bigrams the index holds
    for i in range(1, len(run)):
        for term, _ in _starting(conn, run[i - 1]):
            if len(term) == 2 and is_cjk(term[1]) and term[1] != run[i]:
                words.add(run[:i] + term[1] + run[i + 1 :])
    scored = []
    for word in words:
        if len(word) == len(run):
            shared = sum(1 for a, b in zip(run, word, strict=True) if a == b)
        else:  # one character more or less: the characters they have in common
            shared = sum(min(run.count(c), word.count(c)) for c in set(word))
        if word == run or shared < max(1, min(len(run), len(word)) - 1):
            continue
        docs = _docs(conn, [word[i : i + 2] for i in range(len(word) - 1)])
        if docs:
            scored.append((word, max(len(run), len(word)) - shared, docs))
    scored.sort(key=lambda x: (x[1], -x[2], x[0]))
    return [(w, d) for w, d, _ in scored[:MAX_SUGGESTIONS]]


def _docs(conn: sqlite3.Connection, tokens: list[str]) -> int:
    """Papers holding the rarest of ``tokens`` (0 when one is missing): a cheap bound on how
    many papers use the word (in their own words or their glossary column)."""
    wanted = tokens + [glossary_token(t) for t in tokens]
    marks = ",".join("?" * len(wanted))
    rows = dict(conn.execute(f"SELECT term, doc FROM fts_vocab WHERE term IN ({marks})", wanted))
    return min((max(rows.get(t, 0), rows.get(glossary_token(t), 0)) for t in tokens), default=0)
