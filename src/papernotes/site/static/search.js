// Offline search over window.PAPERNOTES_INDEX (written by `papernotes site`).
//
// The data is made by the code that makes `papernotes search`'s index (site/search_data.py):
// per paper, the token strings of the index's columns (titles, tags with their names in both
// languages, notes, the glossary column with the other language's terms, ...), and the tags
// by every name. This file only splits a query the way papernotes.text.query_terms does,
// looks its words up as the index's query compiler does (index/query.py: words and "phrases"
// must all match, a word's last English word singular or plural, Chinese runs as their
// bigrams, a tag's name also matches its other names and the papers with the tag, -word
// excludes, OR joins), and ranks: title above tags above notes, the glossary lowest.
(function () {
  "use strict";
  var data = window.PAPERNOTES_INDEX;
  if (!data) return;
  var ranges = data.cjk;
  var WORD = /[\p{L}\p{N}]+/gu;
  var COLUMNS = data.columns;
  var WEIGHTS = data.weights;
  var TAGS = COLUMNS.indexOf("tags");
  var UNTAGGED = data.untagged.map(function (c) {
    return COLUMNS.indexOf(c);
  });
  var GLOSSED = data.glossaryToken; // the glossary column's tokens start with it
  var ALL_COLUMNS = COLUMNS.map(function (_, i) {
    return i;
  });
  var FIELDS = new Set(data.fields);

  function isCjk(ch) {
    var code = ch.codePointAt(0);
    for (var i = 0; i < ranges.length; i++) {
      if (code >= ranges[i][0] && code <= ranges[i][1]) return true;
    }
    return false;
  }

  function runs(word) {
    var out = [];
    var chars = Array.from(word);
    var start = 0;
    for (var i = 1; i <= chars.length; i++) {
      if (i === chars.length || isCjk(chars[i]) !== isCjk(chars[start])) {
        out.push({ text: chars.slice(start, i), cjk: isCjk(chars[start]) });
        start = i;
      }
    }
    return out;
  }

  // papernotes.text.query_terms: a list of token groups, each group a phrase.
  function queryTerms(text) {
    var groups = [];
    // NFKC + lower case, plus the two differences of Python's casefold that matter here.
    var folded = text.normalize("NFKC").toLowerCase().replace(/ß/g, "ss").replace(/ς/g, "σ");
    var words = folded.match(WORD) || [];
    words.forEach(function (word) {
      runs(word).forEach(function (run) {
        if (!run.cjk || run.text.length === 1) {
          groups.push([run.text.join("")]);
        } else {
          var bigrams = [];
          for (var i = 0; i + 1 < run.text.length; i++) bigrams.push(run.text[i] + run.text[i + 1]);
          groups.push(bigrams);
        }
      });
    });
    return groups;
  }

  // Exposed so the browser test can compare it with papernotes.text.query_terms.
  window.papernotesQueryTerms = queryTerms;

  // -- lexing and parsing, as index/query.py (without parentheses and filters) ------------
  function lex(query) {
    var out = [];
    var i = 0;
    var n = query.length;
    while (i < n) {
      var ch = query[i];
      if (/\s/.test(ch)) {
        i++;
        continue;
      }
      var negated = false;
      if (ch === "-" || ch === "+") {
        var j = i;
        while (j < n && (query[j] === "-" || query[j] === "+")) j++;
        if (j === n || /\s/.test(query[j])) {
          i = j;
          continue;
        }
        negated = query.slice(i, j).indexOf("-") >= 0;
        i = j;
        ch = query[i];
      }
      if (ch === "(" || ch === ")") {
        i++;
        continue;
      }
      if (ch === '"') {
        var end = query.indexOf('"', i + 1);
        if (end < 0) end = n;
        out.push({ kind: "phrase", text: query.slice(i + 1, end), negated: negated });
        i = end + 1;
        continue;
      }
      var k = i;
      while (k < n && !/\s/.test(query[k]) && '()"'.indexOf(query[k]) < 0) k++;
      var word = query.slice(i, k);
      i = k;
      var colon = word.indexOf(":");
      if (colon >= 0 && FIELDS.has(word.slice(0, colon).toLowerCase())) {
        if (colon === word.length - 1 && query[i] === '"') {
          var close = query.indexOf('"', i + 1);
          i = close < 0 ? n : close + 1;
        }
        continue; // filters are for the command line
      }
      if (!negated && Object.prototype.hasOwnProperty.call(data.operators, word)) {
        out.push({ kind: data.operators[word] });
      } else {
        out.push({ kind: "word", text: word, negated: negated });
      }
    }
    return out;
  }

  // A query: alternatives (OR), each a list of terms that must all match (or must not).
  // ``typing``: the last word is still being typed, so it matches as a prefix.
  function parse(query, typing) {
    var alternatives = [[]];
    var negateNext = false;
    lex(query).forEach(function (item) {
      if (item.kind === "or") {
        alternatives.push([]);
        negateNext = false;
        return;
      }
      if (item.kind === "and") return;
      if (item.kind === "not") {
        negateNext = true;
        return;
      }
      var groups = queryTerms(item.text);
      var negated = item.negated || negateNext;
      negateNext = false;
      if (!groups.length) return;
      alternatives[alternatives.length - 1].push({
        text: item.text,
        groups: groups,
        quoted: item.kind === "phrase",
        prefix: item.kind === "word" && item.text.endsWith("*"),
        negated: negated,
      });
    });
    alternatives = alternatives.filter(function (terms) {
      return terms.length;
    });
    if (typing && alternatives.length && !/[\s"]$/.test(query)) {
      var terms = alternatives[alternatives.length - 1];
      var last = terms[terms.length - 1];
      if (!last.quoted && !last.negated) last.prefix = true;
    }
    return alternatives;
  }

  // -- from words to token sequences, as index/query.py's _word and _phrase -------------
  function chars(text) {
    return Array.from(text);
  }

  function isBigram(token) {
    var c = chars(token);
    return c.length === 2 && isCjk(c[0]) && isCjk(c[1]);
  }

  function phrase(groups) {
    var tokens = [];
    var last = groups.length - 1;
    groups.forEach(function (group, i) {
      if (isBigram(group[0])) {
        var seq = [group[0]];
        group.slice(1).forEach(function (bigram) {
          seq.push(chars(bigram)[0], bigram);
        });
        if (i > 0) seq.unshift(chars(group[0])[0]);
        if (i < last) seq.push(chars(group[group.length - 1])[1]);
        tokens = tokens.concat(seq);
      } else {
        tokens = tokens.concat(group);
      }
    });
    return tokens;
  }

  function forms(token) {
    if (token.length < 3 || !/^[a-z]+$/i.test(token)) return [token];
    if (token.endsWith("s")) {
      return token.endsWith("ss") || token.length < 4 ? [token] : [token, token.slice(0, -1)];
    }
    return [token, token + "s"];
  }

  function wordSeqs(groups) {
    var last = groups[groups.length - 1];
    var alternatives = last.length === 1 && !isCjk(last[0]) ? forms(last[0]) : [last[0]];
    if (alternatives.length === 1) return [phrase(groups)];
    return alternatives.map(function (form) {
      return phrase(groups.slice(0, -1).concat([[form]]));
    });
  }

  function termKey(groups) {
    return groups
      .map(function (group) {
        return group.join(" ");
      })
      .join(" ");
  }

  function tagOf(groups) {
    var key = termKey(groups);
    return Object.prototype.hasOwnProperty.call(data.tagKeys, key) ? data.tagKeys[key] : null;
  }

  // A matcher: { any: [[seq, ...] in these columns], ... } - see compile().
  // The same tokens as the glossary column holds them (index/documents.py).
  function glossed(seqs) {
    return seqs.map(function (seq) {
      return seq.map(function (token) {
        return GLOSSED + token;
      });
    });
  }

  function compileTerm(term) {
    if (term.prefix) {
      var seq = phrase(term.groups);
      var open = !isCjk(seq[seq.length - 1]);
      return { parts: [{ columns: ALL_COLUMNS, seqs: [seq].concat(glossed([seq])), prefix: open }] };
    }
    var exact = term.quoted;
    var typed = exact ? [phrase(term.groups)] : wordSeqs(term.groups);
    var tag = tagOf(term.groups);
    if (tag === null) return { parts: [{ columns: ALL_COLUMNS, seqs: typed.concat(glossed(typed)) }] };
    var parts = [];
    if (term.merged) {
      // words typed apart: each where the text says it, all required; or a name of the tag
      parts.push({
        columns: UNTAGGED,
        all: term.words.map(function (groups) {
          return wordSeqs(groups);
        }),
      });
      parts.push({
        columns: UNTAGGED,
        all: term.words.map(function (groups) {
          return glossed(wordSeqs(groups));
        }),
      });
    } else {
      parts.push({ columns: UNTAGGED, seqs: typed.concat(glossed(typed)) });
    }
    var names = data.tags[tag].names.map(phrase);
    parts.push({ columns: UNTAGGED, seqs: names.concat(glossed(names)) });
    parts.push({ columns: [TAGS], seqs: [[data.tags[tag].key]] });
    return { parts: parts };
  }

  function plain(term) {
    return !term.quoted && !term.negated && !term.prefix;
  }

  // Runs of plain words that together name a tag are one term (lottery ticket).
  function mergeTagWords(terms) {
    var out = [];
    var i = 0;
    while (i < terms.length) {
      var term = terms[i];
      var next = i + 1;
      if (plain(term)) {
        var end = i + 1;
        while (end < Math.min(terms.length, i + data.maxTagWords) && plain(terms[end])) end++;
        for (var j = end; j > i + 1; j--) {
          var run = terms.slice(i, j);
          var groups = [].concat.apply(
            [],
            run.map(function (t) {
              return t.groups;
            }),
          );
          if (tagOf(groups) !== null) {
            term = {
              text: run
                .map(function (t) {
                  return t.text;
                })
                .join(" "),
              groups: groups,
              quoted: false,
              negated: false,
              merged: true,
              words: run.map(function (t) {
                return t.groups;
              }),
            };
            next = j;
            break;
          }
        }
      }
      out.push(term);
      i = next;
    }
    return out;
  }

  // -- matching ----------------------------------------------------------------------------
  var papers = data.papers.map(function (entry) {
    return {
      id: entry.id,
      columns: entry.c.map(function (text) {
        var tokens = text ? text.split(" ") : [];
        var at = new Map();
        tokens.forEach(function (token, i) {
          if (!at.has(token)) at.set(token, []);
          at.get(token).push(i);
        });
        return { tokens: tokens, at: at };
      }),
    };
  });

  // Does the column hold the tokens ``seq`` one after another (the last one only as a
  // prefix of a token, with ``prefix``)?
  function has(column, seq, prefix) {
    var last = seq.length - 1;
    var starts;
    if (prefix && last === 0) {
      return column.tokens.some(function (token) {
        return token.startsWith(seq[0]);
      });
    }
    starts = column.at.get(seq[0]);
    if (!starts) return false;
    return starts.some(function (start) {
      for (var k = 1; k <= last; k++) {
        var token = column.tokens[start + k];
        if (token === undefined) return false;
        if (k === last && prefix ? !token.startsWith(seq[k]) : token !== seq[k]) return false;
      }
      return true;
    });
  }

  // 1 + the weight of the best column where the sequences match, 0 when none does.
  function best(paper, columns, seqs, prefix) {
    var weight = 0;
    columns.forEach(function (c) {
      if (WEIGHTS[c] + 1 <= weight) return; // cannot do better
      if (
        seqs.some(function (seq) {
          return has(paper.columns[c], seq, prefix);
        })
      )
        weight = Math.max(weight, WEIGHTS[c] + 1);
    });
    return weight;
  }

  function matchTerm(paper, compiled) {
    var score = 0;
    compiled.parts.forEach(function (part) {
      var got;
      if (part.all) {
        got = Infinity;
        part.all.forEach(function (seqs) {
          got = Math.min(got, best(paper, part.columns, seqs));
        });
      } else {
        got = best(paper, part.columns, part.seqs, part.prefix);
      }
      score = Math.max(score, got);
    });
    return score;
  }

  function compile(query, typing) {
    return parse(query, typing).map(function (terms) {
      return mergeTagWords(terms).map(function (term) {
        return { negated: term.negated, compiled: compileTerm(term) };
      });
    });
  }

  // Score of a paper for a compiled query (0: no match).
  function score(paper, alternatives) {
    var total = 0;
    alternatives.forEach(function (terms) {
      var sum = 0;
      var ok = true;
      var positives = 0;
      terms.forEach(function (term) {
        if (!ok) return;
        var s = matchTerm(paper, term.compiled);
        if (term.negated) {
          if (s > 0) ok = false;
        } else if (s > 0) {
          sum += s;
          positives++;
        } else {
          ok = false;
        }
      });
      if (ok) total = Math.max(total, positives ? sum : 1);
    });
    return total;
  }

  function search(query, typing) {
    var alternatives = compile(query, typing);
    if (!alternatives.length) return null;
    var scored = [];
    papers.forEach(function (paper, order) {
      var s = score(paper, alternatives);
      if (s > 0) scored.push({ s: s, order: order, id: paper.id });
    });
    scored.sort(function (a, b) {
      return b.s - a.s || a.order - b.order;
    });
    return scored.map(function (x) {
      return x.id;
    });
  }

  // Exposed so the browser test can compare it with `papernotes search`.
  window.papernotesSearch = search;

  document.addEventListener("DOMContentLoaded", function () {
    var input = document.getElementById("q");
    var list = document.getElementById("results");
    var count = document.getElementById("count");
    var empty = document.getElementById("empty");
    if (!input || !list) return;
    var items = {};
    var original = Array.prototype.slice.call(list.children);
    original.forEach(function (li) {
      items[li.dataset.id] = li;
    });

    function run(event) {
      var found = search(input.value, event && event.type === "input");
      var shown = [];
      if (found === null) {
        shown = original;
      } else {
        found.forEach(function (id) {
          if (items[id]) shown.push(items[id]);
        });
      }
      var visible = new Set(shown);
      original.forEach(function (li) {
        li.hidden = !visible.has(li);
      });
      shown.forEach(function (li) {
        list.appendChild(li);
      });
      count.textContent =
        found !== null
          ? shown.length + " of " + original.length + " paper(s)"
          : original.length + " paper(s)";
      empty.hidden = shown.length > 0;
    }

    var params = new URLSearchParams(window.location.search);
    if (params.get("q")) input.value = params.get("q");
    input.addEventListener("input", run);
    input.form.addEventListener("submit", function (event) {
      event.preventDefault();
      run();
    });
    run();
  });
})();
