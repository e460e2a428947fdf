"""The search query language, parsed by hand and compiled to an FTS5 MATCH expression.

Words are ANDed; ``"exact phrase"``; ``OR`` (or ``|``); ``-word`` or ``NOT word``; parentheses;
``word*`` for a prefix; filters ``tag:`` (any name, label or alias; includes child tags),
``venue:``, ``year:`` (``2020``, ``2018..2020``, ``>=2019``), ``decision:``, ``lang:zh|en``,
``status:`` (reading status), ``mark:`` (``scooped``, ``to-cite``) and ``by:`` (who wrote a
note).
Words that name a tag (``ntk``, ``lottery ticket``, ``彩票假设``) also match every other name of
that tag and the papers carrying it. Every word also matches the index's ``glossary`` column,
the other-language forms of the glossary terms a paper uses (see :mod:`.documents`); snippets
then mark the paper's own word for the term typed (``pruning`` marks 剪枝).

Nothing the user types reaches FTS5 unquoted: every token is a quoted string built from
:func:`papernotes.text.query_terms`, so FTS5 syntax (``NEAR``, ``^``, ``:``, ``*``) in a query
is text, and malformed input (unbalanced quotes or parentheses, dangling operators) is
repaired rather than refused. Only an empty query, or a filter with a bad value, is an error.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from papernotes.errors import NotFoundError, UsageError
from papernotes.filters import FIELDS
from papernotes.glossary import MAX_EN as GLOSSARY_MAX_EN
from papernotes.glossary import MAX_ZH as GLOSSARY_MAX_ZH
from papernotes.index.documents import (
    ALL,
    NOTHING,
    TEXT_COLUMNS,
    facet,
    glossary_token,
    tag_facet,
    term_key,
    word_facet,
)
from papernotes.reading import MARK_WORDS, STATUS_WORDS
from papernotes.text import is_cjk, query_terms, word_spans

OPERATORS = {"OR": "or", "|": "or", "||": "or", "AND": "and", "&&": "and", "NOT": "not"}
UNTAGGED = [c for c in TEXT_COLUMNS if c != "tags"]
MAX_DEPTH = 20  # parentheses deeper than this are read as plain grouping-free text
MAX_TAG_WORDS = 8  # longest run of words looked up as a tag name
LANGS = {"zh": "zh", "chinese": "zh", "中文": "zh", "cn": "zh", "en": "en", "english": "en"}
LANGS |= {"英文": "en"}
DECISIONS = {"accepted": "accept", "rejected": "reject", "withdraw": "withdrawn"}
YEAR = re.compile(r"^(?:(\d{4})|(\d{4})?\.\.(\d{4})?|(<=|>=|<|>|=)(\d{4}))$")


class UnknownTagError(NotFoundError, UsageError):
    """``tag:`` names no tag: exit code 3 as for ``list --tag``, and still a UsageError for
    callers of :func:`papernotes.index.search`, which promise only that for bad queries."""


# -- the syntax tree (plain classes: dataclasses cost start-up time on every search) --------
class Term:
    """Words or a quoted phrase, as token groups (see :func:`query_terms`)."""

    __slots__ = ("text", "groups", "quoted", "prefix")

    def __init__(self, text: str, groups: list[list[str]], quoted=False, prefix=False):
        self.text, self.groups, self.quoted, self.prefix = text, groups, quoted, prefix

    def __repr__(self) -> str:
        return f"Term({self.text!r}{', quoted' if self.quoted else ''}{', prefix' if self.prefix else ''})"


class Filter:
    __slots__ = ("field", "value")

    def __init__(self, field: str, value: str):
        self.field, self.value = field, value

    def __repr__(self) -> str:
        return f"Filter({self.field}:{self.value!r})"


class Not:
    __slots__ = ("node",)

    def __init__(self, node: Node):
        self.node = node

    def __repr__(self) -> str:
        return f"Not({self.node!r})"


class And:
    __slots__ = ("nodes",)

    def __init__(self, nodes: list[Node]):
        self.nodes = nodes

    def __repr__(self) -> str:
        return f"And({self.nodes!r})"


class Or:
    __slots__ = ("nodes",)

    def __init__(self, nodes: list[Node]):
        self.nodes = nodes

    def __repr__(self) -> str:
        return f"Or({self.nodes!r})"


Node = Term | Filter | Not | And | Or


# -- lexing ---------------------------------------------------------------------------------
class Lexeme:
    __slots__ = ("kind", "text", "negated", "field")

    def __init__(self, kind: str, text: str = "", negated: bool = False, field: str = ""):
        # kind: word, phrase, filter, lp, rp, or, and, not
        self.kind, self.text, self.negated, self.field = kind, text, negated, field


def lex(query: str, operators: bool = True) -> list[Lexeme]:
    out: list[Lexeme] = []
    i, n = 0, len(query)
    while i < n:
        char = query[i]
        if char.isspace():
            i += 1
            continue
        negated = False
        if char in "-+":
            j = i
            while j < n and query[j] in "-+":
                j += 1
            if j == n or query[j].isspace():
                i = j  # a lone '-' or '+' means nothing
                continue
            negated = "-" in query[i:j]
            i, char = j, query[j]
        if char == "(":
            out.append(Lexeme("lp", negated=negated))
            i += 1
        elif char == ")":
            out.append(Lexeme("rp"))
            i += 1
        elif char == '"':
            end = query.find('"', i + 1)
            end = n if end < 0 else end
            out.append(Lexeme("phrase", query[i + 1 : end], negated))
            i = end + 1
        else:
            j = i
            while j < n and not query[j].isspace() and query[j] not in '()"':
                j += 1
            word = query[i:j]
            i = j
            name, colon, value = word.partition(":")
            field_name = FIELDS.get(name.casefold()) if colon else None
            if field_name and not value and i < n and query[i] == '"':
                end = query.find('"', i + 1)
                end = n if end < 0 else end
                value, i = query[i + 1 : end], end + 1
            if field_name:
                out.append(Lexeme("filter", value, negated, field_name))
            elif operators and not negated and word in OPERATORS:
                out.append(Lexeme(OPERATORS[word]))
            else:
                out.append(Lexeme("word", word, negated))
    return out


# -- parsing --------------------------------------------------------------------------------
class _Parser:
    def __init__(self, lexemes: list[Lexeme]):
        self.items = lexemes
        self.pos = 0
        self.depth = 0

    def peek(self) -> Lexeme | None:
        return self.items[self.pos] if self.pos < len(self.items) else None

    def parse(self) -> Node | None:
        parts = []
        while self.peek() is not None:
            node = self.parse_or()
            if node is not None:
                parts.append(node)
            if (item := self.peek()) is not None and item.kind == "rp":
                self.pos += 1  # an unmatched ')' is ignored
        return _and(parts)

    def parse_or(self) -> Node | None:
        parts = [self.parse_and()]
        while (item := self.peek()) is not None and item.kind == "or":
            self.pos += 1
            parts.append(self.parse_and())
        kept = [p for p in parts if p is not None]
        if len(kept) > 1:
            return Or(kept)
        return kept[0] if kept else None

    def parse_and(self) -> Node | None:
        parts = []
        while (item := self.peek()) is not None and item.kind not in ("rp", "or"):
            if item.kind == "and":
                self.pos += 1
                continue
            node = self.parse_unary()
            if node is not None:
                parts.append(node)
        return _and(parts)

    def parse_unary(self) -> Node | None:
        item = self.peek()
        assert item is not None
        self.pos += 1
        if item.kind == "not":
            if (after := self.peek()) is None or after.kind in ("rp", "or", "and"):
                return None
            node = self.parse_unary()
            return Not(node) if node is not None else None
        if item.kind == "lp":
            if self.depth >= MAX_DEPTH:  # too deep to mean anything: read on without it
                return None
            self.depth += 1
            node = self.parse_or()
            self.depth -= 1
            if (after := self.peek()) is not None and after.kind == "rp":
                self.pos += 1
            return Not(node) if node is not None and item.negated else node
        if item.kind == "filter":
            node = Filter(item.field, item.text.strip()) if item.text.strip() else None
        else:
            text = item.text
            prefix = item.kind == "word" and text.endswith("*")
            groups = query_terms(text)
            node = Term(text, groups, item.kind == "phrase", prefix) if groups else None
        if node is not None and item.negated:
            return Not(node)
        return node


def _and(parts: list[Node]) -> Node | None:
    if not parts:
        return None
    return parts[0] if len(parts) == 1 else And(parts)


def parse(query: str) -> Node | None:
    """The syntax tree of ``query``; None when it holds nothing to search for.

    A query made only of operator words (``AND OR``) searches for those words.
    """
    lexemes = lex(query)
    tree = _Parser(lexemes).parse()
    if tree is None and any(x.kind in ("or", "and", "not") for x in lexemes):
        tree = _Parser(lex(query, operators=False)).parse()
    return tree


# -- compiling --------------------------------------------------------------------------------
class Vocabulary:
    """What the index knows about tags and years, for resolving words and filters."""

    def __init__(
        self,
        tag_keys: dict[str, str],
        tag_names: dict[str, list[str]],
        tag_parents: dict[str, str | None],
        years: list[int] | Callable[[], list[int]],
        fallback_tag: Callable[[str], str | None] | None = None,
        glossary: Callable[[list[str], list[str]], dict[str, list[str]]] | None = None,
    ):
        self.tag_keys = tag_keys
        self.glossary = glossary or (lambda _terms, _inside: {})
        self.tag_names = tag_names
        self.tag_parents = tag_parents
        self._children: dict[str, list[str]] | None = None
        self._years = years
        self.fallback_tag = fallback_tag or (lambda _text: None)

    @property
    def years(self) -> list[int]:
        """Years that papers have (read from the index only for a ``year:`` filter)."""
        if callable(self._years):
            self._years = self._years()
        return self._years

    @classmethod
    def load(cls, conn, fallback_tag=None) -> Vocabulary:
        from papernotes.index import glossary_rows
        from papernotes.index.store import IndexDamaged, decoded

        keys = dict(conn.execute("SELECT key, tag FROM tag_keys"))
        names, parents = {}, {}
        rows = conn.execute("SELECT tag, names, parent FROM tag_info ORDER BY pos")
        for tag, names_json, parent in rows:
            names[tag] = decoded(names_json)
            parents[tag] = parent
            if not isinstance(names[tag], list) or not isinstance(parent, str | None):
                raise IndexDamaged(f"tag {tag!r} is malformed in the index")

        def years() -> list[int]:
            rows = conn.execute("SELECT DISTINCT year FROM docs WHERE year IS NOT NULL")
            return sorted(y for (y,) in rows)

        return cls(
            keys, names, parents, years, fallback_tag, lambda t, i: glossary_rows.lookup(conn, t, i)
        )

    def tree(self, tag: str) -> list[str]:
        """``tag`` and every tag below it, as ``Taxonomy.descendants`` gives them; the
        parent -> children map is built once, on the first tag filter."""
        if self._children is None:
            self._children = {}
            for name, parent in self.tag_parents.items():
                if parent is not None:
                    self._children.setdefault(parent, []).append(name)
        out, seen, stack = [], set(), [tag]
        while stack:
            current = stack.pop()
            if current not in seen:
                seen.add(current)
                out.append(current)
                stack.extend(self._children.get(current, ()))
        return out

    def resolve(self, text: str) -> str | None:
        """Canonical tag for a name, label or alias typed in a query."""
        key = term_key(text)
        return self.tag_keys.get(key) if key else None

    def resolve_groups(self, groups: list[list[str]]) -> str | None:
        """Same as :meth:`resolve`, from the words' token groups."""
        return self.tag_keys.get(" ".join(tok for group in groups for tok in group))


class Compiled:
    """An FTS5 MATCH expression and the needles to highlight in snippets; ``typed`` are
    the needles from the user's own words (not from other names of a tag)."""

    def __init__(self, match: str, needles: set[tuple[str, str]], typed: set[tuple[str, str]]):
        self.match = match
        self.needles = needles
        self.typed = typed


class _Compiler:
    def __init__(self, vocab: Vocabulary):
        self.vocab = vocab
        self.needles: set[tuple[str, str]] = set()
        self.typed: set[tuple[str, str]] = set()
        self.glossary_keys: set[str] = set()  # looked up once, for the needles of other forms
        self.glossary_runs: set[str] = set()  # Chinese typed: glossary terms that contain it

    def glossary_needles(self) -> set[tuple[str, str]]:
        """What to highlight for the other-language forms of the glossary terms typed."""
        out: set[tuple[str, str]] = set()
        if not (self.glossary_keys or self.glossary_runs):
            return out
        found = self.vocab.glossary(sorted(self.glossary_keys), sorted(self.glossary_runs))
        for others in found.values():
            for other in others:
                groups = query_terms(other)
                if groups:
                    out |= _needles(groups, forms=not is_cjk(other[0]))
        return out

    def node(self, node: Node, positive: bool = True) -> str:
        if isinstance(node, Term):
            return self.term(node, positive)
        if isinstance(node, Filter):
            return self.filter(node)
        if isinstance(node, Not):
            return f'("{ALL}" NOT {self.node(node.node, not positive)})'
        if isinstance(node, Or):
            return "(" + " OR ".join(self.node(n, positive) for n in node.nodes) + ")"
        return self.conjunction(node.nodes, positive)

    def conjunction(self, nodes: list[Node], positive: bool) -> str:
        boosts = _adjacency_boosts(nodes) if positive else []
        if positive:
            self.glossary_keys.update(_glossary_keys_of_runs(nodes))
        nodes = self.merge_tag_words(nodes)
        pos = [self.node(n, positive) for n in nodes if not isinstance(n, Not)]
        if pos:
            pos = list(dict.fromkeys(pos + boosts))  # 'a a' is 'a'
        neg = [self.node(n.node, not positive) for n in nodes if isinstance(n, Not)]
        expr = " AND ".join(pos) if pos else f'"{ALL}"'
        if neg:
            expr = f"({expr}) NOT ({' OR '.join(neg)})"
        return f"({expr})"

    def merge_tag_words(self, nodes: list[Node]) -> list[Node]:
        """Join runs of plain words that together name a tag (``lottery ticket``)."""
        out: list[Node] = []
        i = 0
        while i < len(nodes):
            node = nodes[i]
            j = i + 1
            if _plain(node):
                end = i + 1
                while end < min(len(nodes), i + MAX_TAG_WORDS) and _plain(nodes[end]):
                    end += 1
                for j in range(end, i, -1):
                    run: list[Term] = nodes[i:j]  # type: ignore[assignment]
                    groups = [g for n in run for g in n.groups]
                    if j > i + 1 and self.vocab.resolve_groups(groups):
                        node = Term(" ".join(n.text for n in run), groups)
                        break
                else:
                    j = i + 1
            out.append(node)
            i = j
        return out

    def term(self, term: Term, positive: bool) -> str:
        exact = term.quoted or term.prefix
        if exact:
            phrase = _phrase(term.groups, term.prefix)
            glossed = _phrase(term.groups, term.prefix, wrap=glossary_token)
        else:
            phrase, glossed = _word(term.groups), _word(term.groups, wrap=glossary_token)
        merged = not term.quoted and " " in term.text.strip()
        if positive and merged:  # words typed apart are highlighted apart
            for word in term.text.split():
                self.typed.update(_needles(query_terms(word), forms=True))
        elif positive:
            self.typed.update(_needles(term.groups, term.prefix, forms=not exact))
        if positive and not term.prefix:
            self.glossary_keys.update(_glossary_keys(term.text))
            self.glossary_runs.update(r for *_, r, cjk in word_spans(term.text) if cjk)
        tag = None if term.prefix else self.vocab.resolve(term.text)
        if tag is None:  # the words in the paper's own text, or the glossary's for them
            return f"({phrase} OR {glossed})"
        # A tag's name: it matches the tag itself (its key, in the tags column), and the
        # name as typed or any other name of the tag where the paper's text writes it.
        # Not the tags column's copies of the names: every paper with the tag holds all of
        # them there, and would outrank one whose notes say it in so many words.
        typed = _and_words(term.text) if merged else phrase
        glossed = _and_words(term.text, glossary_token) if merged else glossed
        names, glossed_names = [typed], [glossed]
        for name in self.vocab.tag_names.get(tag, []):
            groups = query_terms(name)
            if groups:
                names.append(_phrase(groups))
                glossed_names.append(_phrase(groups, wrap=glossary_token))
                if positive:
                    self.needles.update(_needles(groups))
        text = " OR ".join(dict.fromkeys(names))
        other = " OR ".join(dict.fromkeys(glossed_names))
        return f'({_untagged(text)} OR {other} OR "{tag_facet(tag)}")'

    def filter(self, node: Filter) -> str:
        """A filter of papernotes.filters.QUERY_FILTERS, by its ``filter_<name>`` method."""
        return getattr(self, f"filter_{node.field}")(node.value)

    def filter_tag(self, value: str) -> str:
        tag = self.vocab.resolve(value) or self.vocab.fallback_tag(value)
        if tag is None:
            raise UnknownTagError(f"unknown tag {_shown(value)} (see 'papernotes tags')")
        tree = self.vocab.tree(tag)
        return "(" + " OR ".join(f'"{tag_facet(t)}"' for t in tree) + ")"

    def filter_lang(self, value: str) -> str:
        lang = LANGS.get(value.casefold())
        if lang is None:
            raise UsageError(f"lang: expects zh or en, not {_shown(value)}")
        return f'"{facet("l", lang)}"'

    def filter_status(self, value: str) -> str:
        return _word_filter("status", STATUS_WORDS, value)

    def filter_mark(self, value: str) -> str:
        return _word_filter("mark", MARK_WORDS, value)

    def filter_year(self, value: str) -> str:
        years = self.years(value)
        if not years:
            return f'"{NOTHING}"'
        return "(" + " OR ".join(f'"{facet("y", str(y))}"' for y in years) + ")"

    # venue, decision, by: the value's words, in order, among the paper's
    def filter_venue(self, value: str) -> str:
        return _words_filter("v", query_terms(value))

    def filter_decision(self, value: str) -> str:
        groups = [[DECISIONS.get(t, t) for t in group] for group in query_terms(value)]
        return _words_filter("d", groups)

    def filter_by(self, value: str) -> str:
        return _words_filter("b", query_terms(value))

    def years(self, value: str) -> list[int]:
        match = YEAR.match(value.strip())
        if not match:
            raise UsageError(
                f"year: expects a year (2020), a range (2018..2020) or a comparison "
                f"(>=2019), not {_shown(value)}"
            )
        exact, low, high, op, bound = match.groups()
        if exact:
            return [int(exact)] if int(exact) in self.vocab.years else []
        if op:
            b = int(bound)
            test = {
                "<": lambda y: y < b,
                "<=": lambda y: y <= b,
                ">": lambda y: y > b,
                ">=": lambda y: y >= b,
                "=": lambda y: y == b,
            }[op]
            return [y for y in self.vocab.years if test(y)]
        lo, hi = int(low or 0), int(high or 9999)
        return [y for y in self.vocab.years if lo <= y <= hi]


def _word_filter(field: str, words: dict[str, str], value: str) -> str:
    """status: and mark:, whose values are fixed words (and their spellings)."""
    found = words.get(value.casefold())
    if found is None:
        choices = ", ".join(dict.fromkeys(words.values()))
        raise UsageError(f"{field}: expects one of {choices}, not {_shown(value)}")
    return f'"{facet(field[0], word_facet(found))}"'


def _words_filter(kind: str, groups: list[list[str]]) -> str:
    if not groups:
        return f'"{ALL}"'
    return _phrase(groups, wrap=lambda tok: facet(kind, tok))


def compile_query(tree: Node, vocab: Vocabulary) -> Compiled:
    compiler = _Compiler(vocab)
    expr = compiler.node(tree)
    needles = compiler.needles | compiler.typed | compiler.glossary_needles()
    return Compiled(expr, needles, compiler.typed)


def _glossary_keys(text: str) -> set[str]:
    """Glossary terms a query word may be: its English words, and every stretch of two or
    more Chinese characters in it."""
    keys = set()
    latin = []
    for _start, _end, norm, cjk in word_spans(text):
        if not cjk:
            latin.append(norm)
            continue
        for i in range(len(norm) - 1):
            for j in range(i + 2, min(len(norm), i + GLOSSARY_MAX_ZH) + 1):
                keys.add(norm[i:j])
    if latin:
        keys.add(" ".join(latin))
    return keys


def _glossary_keys_of_runs(nodes: list[Node]) -> set[str]:
    """English glossary terms of several words typed one after another (``learning rate``)."""
    keys = set()
    words = [n.text if isinstance(n, Term) and _plain(n) else None for n in nodes]
    for i in range(len(words)):
        run = []
        for word in words[i : i + GLOSSARY_MAX_EN]:
            if word is None or any(cjk for *_, cjk in word_spans(word)):
                break
            run.append(" ".join(norm for *_, norm, _ in word_spans(word)))
            if len(run) > 1:
                keys.add(" ".join(run))
    return keys


def _adjacency_boosts(nodes: list[Node]) -> list[str]:
    """Words typed one after another score higher where they also stand together.

    ``("w1 w2" OR "·all")`` matches every paper, so it filters nothing, but BM25 adds the
    phrase's weight to the papers that contain it.
    """
    boosts, run = [], []
    for node in [*nodes, None]:
        if node is not None and _plain(node):
            run.append(node)
            continue
        if 1 < len(run) <= MAX_TAG_WORDS:
            groups = [g for term in run for g in term.groups]  # type: ignore[union-attr]
            boosts.append(f'({_untagged(_phrase(groups))} OR "{ALL}")')
        run = []
    return boosts


def _untagged(expr: str) -> str:
    """``expr`` matched in every text column but ``tags``."""
    return f"{{{' '.join(UNTAGGED)}}} : ({expr})"


def _plain(node: Node) -> bool:
    return isinstance(node, Term) and not node.quoted and not node.prefix


def _and_words(text: str, wrap=None) -> str:
    """Plain words typed together: each word is its own phrase, all required."""
    parts = [_word(groups, wrap) for groups in map(query_terms, text.split()) if groups]
    return parts[0] if len(parts) == 1 else "(" + " AND ".join(parts) + ")"


def _forms(token: str) -> list[str]:
    """An English word and its singular or plural (ticket, tickets): the index has no stemmer."""
    if len(token) < 3 or not (token.isascii() and token.isalpha()):
        return [token]
    if token.endswith("s"):
        return [token] if token.endswith("ss") or len(token) < 4 else [token, token[:-1]]
    return [token, token + "s"]


def _word(groups: list[list[str]], wrap=None) -> str:
    """A word typed without quotes: a phrase whose last English word may be singular or plural."""
    last = groups[-1]
    forms = _forms(last[0]) if len(last) == 1 and not is_cjk(last[0][0]) else last[:1]
    if len(forms) == 1:
        return _phrase(groups, wrap=wrap)
    phrases = (_phrase([*groups[:-1], [form]], wrap=wrap) for form in forms)
    return "(" + " OR ".join(phrases) + ")"


def _phrase(groups: list[list[str]], prefix: bool = False, wrap=None) -> str:
    """One FTS5 phrase for consecutive token groups, matching how :func:`tokenize` indexes.

    A CJK run is indexed as ``c0 c0c1 c1 c1c2 c2 ...`` (characters and bigrams interleaved),
    so the bigrams of a query run are joined by the characters between them; where the run
    meets a Latin word in the query, its outer character is kept so the two stay adjacent.
    """
    tokens: list[str] = []
    last = len(groups) - 1
    for i, group in enumerate(groups):
        first = group[0]
        if len(first) == 2 and is_cjk(first[0]) and is_cjk(first[1]):
            seq = [group[0]]
            for bigram in group[1:]:
                seq += [bigram[0], bigram]
            if i > 0:
                seq.insert(0, first[0])
            if i < last:
                seq.append(group[-1][-1])
            tokens += seq
        else:
            tokens += group
    if wrap is not None:
        tokens = [wrap(t) for t in tokens]
    quoted = '"' + " ".join(t.replace('"', '""') for t in tokens) + '"'
    use_prefix = prefix and tokens and not is_cjk(tokens[-1][-1])
    return quoted + " *" if use_prefix else quoted


def _needles(
    groups: list[list[str]], prefix: bool = False, forms: bool = False
) -> set[tuple[str, str]]:
    """What to highlight for a phrase: its runs, normalized, separated by spaces."""
    parts = [group[0] + "".join(b[1:] for b in group[1:]) for group in groups]
    kind = "prefix" if prefix else "text"
    if not forms or is_cjk(parts[-1][0]):
        return {(kind, " ".join(parts))}
    return {(kind, " ".join([*parts[:-1], form])) for form in _forms(parts[-1])}


def _shown(value: str) -> str:
    text = value.encode("utf-8", "replace").decode("utf-8")
    return repr(text if len(text) <= 40 else text[:37] + "...")
