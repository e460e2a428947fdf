// Offline search over window.PAPERNOTES_INDEX (written by `papernotes site`).
// Queries are split like papernotes.text.query_terms: Latin words (matched as word
// prefixes while typing), and CJK runs as their bigrams (收敛性 -> 收敛, 敛性) or a
// single character, so Chinese works without spaces. Every term must match; titles
// weigh more than tags, tags more than notes.
(function () {
  "use strict";
  var data = window.PAPERNOTES_INDEX;
  if (!data) return;
  var ranges = data.cjk;
  var WEIGHTS = { t: 3, g: 2, n: 1 };
  var WORD = /[\p{L}\p{N}]+/gu;

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

  function queryTerms(text) {
    var groups = [];
    // NFKC + lower case, plus the two differences of Python's casefold that matter here.
    var folded = text.normalize("NFKC").toLowerCase().replace(/ß/g, "ss").replace(/ς/g, "σ");
    var words = folded.match(WORD) || [];
    words.forEach(function (word) {
      runs(word).forEach(function (run) {
        if (!run.cjk) {
          groups.push({ prefix: true, tokens: [run.text.join("")] });
        } else if (run.text.length === 1) {
          groups.push({ prefix: false, tokens: [run.text[0]] });
        } else {
          var bigrams = [];
          for (var i = 0; i + 1 < run.text.length; i++) bigrams.push(run.text[i] + run.text[i + 1]);
          groups.push({ prefix: false, tokens: bigrams });
        }
      });
    });
    return groups;
  }

  // Exposed so the browser test can compare it with papernotes.text.query_terms.
  window.papernotesQueryTerms = function (text) {
    return queryTerms(text).map(function (group) {
      return group.tokens;
    });
  };

  var papers = data.papers.map(function (entry) {
    var fields = {};
    Object.keys(WEIGHTS).forEach(function (name) {
      var tokens = entry[name] ? entry[name].split(" ") : [];
      fields[name] = { set: new Set(tokens), list: tokens };
    });
    return { id: entry.id, fields: fields };
  });

  function fieldHas(field, group) {
    if (group.prefix) {
      var term = group.tokens[0];
      if (field.set.has(term)) return true;
      for (var i = 0; i < field.list.length; i++) {
        if (field.list[i].lastIndexOf(term, 0) === 0) return true;
      }
      return false;
    }
    return group.tokens.every(function (token) {
      return field.set.has(token);
    });
  }

  function score(paper, groups) {
    var total = 0;
    for (var i = 0; i < groups.length; i++) {
      var best = 0;
      Object.keys(WEIGHTS).forEach(function (name) {
        if (WEIGHTS[name] > best && fieldHas(paper.fields[name], groups[i])) best = WEIGHTS[name];
      });
      if (!best) return 0;
      total += best;
    }
    return total;
  }

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

    function run() {
      var groups = queryTerms(input.value);
      var shown = [];
      if (!groups.length) {
        shown = original;
      } else {
        var scored = [];
        papers.forEach(function (paper, order) {
          var s = score(paper, groups);
          if (s > 0 && items[paper.id]) scored.push({ s: s, order: order, li: items[paper.id] });
        });
        scored.sort(function (a, b) {
          return b.s - a.s || a.order - b.order;
        });
        shown = scored.map(function (x) {
          return x.li;
        });
      }
      var visible = new Set(shown);
      original.forEach(function (li) {
        li.hidden = !visible.has(li);
      });
      shown.forEach(function (li) {
        list.appendChild(li);
      });
      count.textContent = groups.length
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
