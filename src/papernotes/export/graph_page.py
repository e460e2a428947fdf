"""The self-contained HTML page for ``papernotes graph --format html``.

No CDN, no external file: style and script are inline, the graph is JSON in a
``<script type="application/json">`` element (``<``, ``>``, ``&`` escaped), and the
script only ever sets user text with ``textContent``, never as HTML. The layout is a
small force simulation (springs along edges, grid-limited repulsion) run before the
first paint, so the page opens still and works offline.
"""

PAGE = r"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="papernotes">
<title>__TITLE__</title>
<style>
  :root { --panel: 330px; --ink: #222; --muted: #666; --line: #ddd; }
  * { box-sizing: border-box; }
  html, body { margin: 0; height: 100%; font: 14px/1.4 system-ui, -apple-system, "Segoe UI",
    "Noto Sans", "PingFang SC", "Microsoft YaHei", sans-serif; color: var(--ink); }
  body { display: flex; flex-direction: column; }
  header { display: flex; gap: 12px; align-items: center; flex-wrap: wrap; padding: 8px 12px;
    border-bottom: 1px solid var(--line); background: #fafafa; }
  header h1 { font-size: 16px; margin: 0; }
  header .summary { color: var(--muted); }
  header input[type=search] { padding: 4px 8px; min-width: 220px; }
  header label { color: var(--muted); user-select: none; }
  main { flex: 1; display: flex; min-height: 0; }
  #canvas { flex: 1; min-width: 0; position: relative; }
  svg { width: 100%; height: 100%; display: block; cursor: grab; background: #fff; }
  svg.panning { cursor: grabbing; }
  aside { width: var(--panel); border-left: 1px solid var(--line); overflow: auto; padding: 12px; }
  aside h2 { font-size: 15px; margin: 0 0 6px; }
  aside .meta { color: var(--muted); margin-bottom: 8px; word-break: break-word; }
  aside ul { padding-left: 18px; margin: 4px 0 10px; }
  aside li { margin: 3px 0; }
  aside li button { all: unset; cursor: pointer; color: #1a5fb4; }
  aside li button:hover { text-decoration: underline; }
  .kind { display: inline-block; font-size: 11px; padding: 0 5px; border-radius: 8px;
    background: #eee; color: #444; margin-right: 4px; }
  .legend { display: flex; flex-wrap: wrap; gap: 6px; margin: 8px 0; }
  .legend button { border: 1px solid var(--line); background: #fff; border-radius: 12px;
    padding: 1px 8px; cursor: pointer; font: inherit; font-size: 12px; }
  .legend button.on { border-color: #333; }
  .swatch { display: inline-block; width: 10px; height: 10px; border-radius: 50%;
    margin-right: 4px; vertical-align: middle; }
  g.node { cursor: pointer; }
  g.node text { font-size: 10px; pointer-events: none; paint-order: stroke;
    stroke: #fff; stroke-width: 3px; stroke-linejoin: round; }
  g.node.topic text { font-size: 12px; font-weight: 600; }
  g.node.dim, line.dim { opacity: 0.12; }
  g.node.selected circle, g.node.selected rect { stroke: #000; stroke-width: 2.5px; }
  line.edge { stroke-opacity: 0.7; }
  line.link { stroke: #333; stroke-width: 1.8; }
  line.similar { stroke: #4e79a7; stroke-dasharray: 5 3; }
  line.mention { stroke: #f28e2b; stroke-dasharray: 2 3; stroke-width: 1.4; }
  line.tag, line.shared-tag { stroke: #ccc; stroke-width: 0.8; }
  line.parent { stroke: #888; stroke-width: 1.2; }
  .hidden { display: none; }
  svg.far text.plabel, svg.nolabels text.plabel { display: none; }
  svg.far g.node.near text.plabel { display: inline; }
</style>
</head>
<body>
<header>
  <h1>__TITLE__</h1>
  <span class="summary">__SUMMARY__</span>
  <input type="search" id="search" placeholder="Find a paper, id or tag" aria-label="Find">
  <span id="kinds"></span>
  <label title="Paper titles show when zoomed in, and for the selected paper's neighbours">
    <input type="checkbox" id="labels" checked> paper labels</label>
</header>
<main>
  <div id="canvas">
    <svg id="svg" role="img" aria-label="Graph of papers and topics">
      <defs>
        <marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7"
          orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#555"></path></marker>
      </defs>
      <g id="viewport"><g id="edges"></g><g id="nodes"></g></g>
    </svg>
  </div>
  <aside id="panel">
    <h2>How to read this map</h2>
    <p class="meta">Circles are papers, coloured by their main tag; boxes are topics.
    Click a node for its details and neighbours; drag to move, scroll to zoom.</p>
    <div class="legend" id="legend"></div>
    <div id="details"></div>
  </aside>
</main>
<noscript>This page draws the graph with JavaScript; the same data is in --format json.</noscript>
<script type="application/json" id="graph-data">__DATA__</script>
<script>
(function () {
  "use strict";
  var SVGNS = "http://www.w3.org/2000/svg";
  var data = JSON.parse(document.getElementById("graph-data").textContent);
  var nodes = data.nodes, edges = data.edges;
  var byId = {};
  nodes.forEach(function (n, i) { n.index = i; n.degree = 0; byId[n.id] = n; });
  edges = edges.filter(function (e) { return byId[e.source] && byId[e.target]; });
  edges.forEach(function (e) { byId[e.source].degree++; byId[e.target].degree++; });
  var kindsPresent = [];
  edges.forEach(function (e) { if (kindsPresent.indexOf(e.kind) < 0) kindsPresent.push(e.kind); });

  function el(tag, attrs, parent) {
    var node = document.createElementNS(SVGNS, tag);
    for (var k in attrs) node.setAttribute(k, attrs[k]);
    if (parent) parent.appendChild(node);
    return node;
  }
  function h(tag, text, parent, cls) {
    var node = document.createElement(tag);
    if (text !== undefined && text !== null) node.textContent = String(text);
    if (cls) node.className = cls;
    if (parent) parent.appendChild(node);
    return node;
  }

  // ---- layout: deterministic start by group, then a force simulation ----
  var seed = 42;
  function rand() { seed = (seed * 16807) % 2147483647; return seed / 2147483647; }
  var groups = data.groups.map(function (g) { return g.name; });
  var n = nodes.length, W = Math.max(600, Math.sqrt(n) * 60);
  // Start near the answer: groups around a circle, each topic in its group's sector,
  // each paper at the middle of its topics. The simulation then only has to relax.
  var topicsOf = {};
  edges.forEach(function (e) {
    if (e.kind === "tag") (topicsOf[e.source] = topicsOf[e.source] || []).push(byId[e.target]);
  });
  var inGroup = {};
  nodes.forEach(function (nd) {
    var gi = Math.max(0, groups.indexOf(nd.group));
    var angle = 2 * Math.PI * gi / Math.max(1, groups.length);
    var ring = groups.length > 1 ? W * 0.5 : 0;
    var k = inGroup[gi] = (inGroup[gi] || 0) + 1;
    var spread = W * 0.12 * Math.sqrt(k);
    nd.x = Math.cos(angle) * ring + Math.cos(k * 2.4) * spread;
    nd.y = Math.sin(angle) * ring + Math.sin(k * 2.4) * spread;
    nd.vx = 0; nd.vy = 0;
    nd.r = nd.kind === "topic" ? 7 + Math.sqrt(nd.degree) * 1.5 : 5 + Math.sqrt(nd.degree);
  });
  nodes.forEach(function (nd) {
    var mine = topicsOf[nd.id];
    if (!mine || !mine.length) return;
    var x = 0, y = 0;
    mine.forEach(function (t) { x += t.x; y += t.y; });
    nd.x = x / mine.length + (rand() - 0.5) * 40;
    nd.y = y / mine.length + (rand() - 0.5) * 40;
  });
  nodes.forEach(function (nd) {
    nd.size = nd.kind === "topic" ? Math.max(14, nd.label.length * 3.75 + 5) : nd.r + 3;
  });
  // Forces as in d3-force: springs along edges (weaker at hubs), many-body repulsion,
  // collision by node size, and a weak pull to the centre for loose components.
  var DISTANCE = { link: 40, similar: 60, mention: 50, tag: 45, parent: 90, "shared-tag": 60 };
  var count = {};
  edges.forEach(function (e) {
    count[e.source] = (count[e.source] || 0) + 1; count[e.target] = (count[e.target] || 0) + 1;
  });
  edges.forEach(function (e) {
    var cs = count[e.source], ct = count[e.target];
    e.strength = 1 / Math.min(cs, ct); e.bias = cs / (cs + ct);
  });
  var exact = n <= 900, cell = 300, CHARGE = -400, GRAVITY = 0.05;
  var TICKS = n <= 300 ? 800 : n <= 1500 ? 300 : 150;
  function repel(a, b, alpha) {
    var x = b.x - a.x, y = b.y - a.y, d2 = x * x + y * y;
    if (d2 === 0) { x = rand() - 0.5; y = rand() - 0.5; d2 = x * x + y * y; }
    if (!exact && d2 > cell * cell) return;
    if (d2 < 1) d2 = 1;
    var w = CHARGE * alpha / d2;
    a.vx += x * w; a.vy += y * w; b.vx -= x * w; b.vy -= y * w;
  }
  function collide() {
    for (var i = 0; i < n; i++) for (var j = i + 1; j < n; j++) {
      var a = nodes[i], b = nodes[j], x = b.x - a.x, y = b.y - a.y;
      var min = a.size + b.size + 4;
      if (Math.abs(x) > min || Math.abs(y) > min) continue;
      var d = Math.sqrt(x * x + y * y) || 0.01;
      if (d >= min) continue;
      var push = (min - d) / d * 0.35;
      a.vx -= x * push; a.vy -= y * push; b.vx += x * push; b.vy += y * push;
    }
  }
  function tick(alpha) {
    edges.forEach(function (e) {
      var a = byId[e.source], b = byId[e.target];
      var x = b.x + b.vx - a.x - a.vx, y = b.y + b.vy - a.y - a.vy;
      var d = Math.sqrt(x * x + y * y) || 0.01;
      var rest = (DISTANCE[e.kind] || 50) + a.size + b.size;
      var l = (d - rest) / d * alpha * e.strength;
      x *= l; y *= l;
      b.vx -= x * e.bias; b.vy -= y * e.bias; a.vx += x * (1 - e.bias); a.vy += y * (1 - e.bias);
    });
    if (exact) {
      for (var i = 0; i < n; i++) for (var j = i + 1; j < n; j++) repel(nodes[i], nodes[j], alpha);
    } else {
      var grid = {};
      nodes.forEach(function (nd) {
        var key = Math.floor(nd.x / cell) + "," + Math.floor(nd.y / cell);
        (grid[key] = grid[key] || []).push(nd);
      });
      nodes.forEach(function (a) {
        var cx = Math.floor(a.x / cell), cy = Math.floor(a.y / cell);
        for (var dx = -1; dx <= 1; dx++) for (var dy = -1; dy <= 1; dy++) {
          var list = grid[(cx + dx) + "," + (cy + dy)] || [];
          for (var k = 0; k < list.length; k++) if (list[k].index > a.index) repel(a, list[k], alpha);
        }
      });
    }
    nodes.forEach(function (nd) {
      nd.vx -= nd.x * GRAVITY * alpha; nd.vy -= nd.y * GRAVITY * alpha;
    });
    if (n <= 1500) collide();
    nodes.forEach(function (nd) {
      if (nd.fixed) { nd.vx = nd.vy = 0; return; }
      nd.vx *= 0.6; nd.vy *= 0.6;
      nd.x += nd.vx; nd.y += nd.vy;
    });
  }
  var alpha = 1, decay = 1 - Math.pow(0.001, 1 / TICKS);
  while (alpha > 0.001) { tick(alpha); alpha += (0 - alpha) * decay; }

  // ---- drawing ----
  var DIRECTED = { link: true, mention: true, parent: true };
  function light(color) {
    var r = parseInt(color.substr(1, 2), 16), g = parseInt(color.substr(3, 2), 16), b = parseInt(color.substr(5, 2), 16);
    return 0.299 * r + 0.587 * g + 0.114 * b > 160;
  }
  var svg = document.getElementById("svg"), viewport = document.getElementById("viewport");
  var edgeLayer = document.getElementById("edges"), nodeLayer = document.getElementById("nodes");
  edges.forEach(function (e) {
    e.line = el("line", { "class": "edge " + e.kind }, edgeLayer);
    if (DIRECTED[e.kind]) e.line.setAttribute("marker-end", "url(#arrow)");
    if (e.kind === "link" && e.both) e.line.setAttribute("marker-start", "url(#arrow)");
    var tip = el("title", {}, e.line);
    tip.textContent = e.kind + (e.label ? ": " + e.label : "");
  });
  nodes.forEach(function (nd) {
    var g = el("g", { "class": "node " + nd.kind, "data-id": nd.id, tabindex: "0" }, nodeLayer);
    if (nd.kind === "topic") {
      var w = Math.max(28, nd.label.length * 7.5 + 10);
      el("rect", { x: -w / 2, y: -10, width: w, height: 20, rx: 6, fill: nd.color,
        stroke: "#fff", "stroke-width": 1.5 }, g);
      var label = el("text", { "text-anchor": "middle", dy: "0.35em", fill: light(nd.color) ? "#000" : "#fff" }, g);
      label.textContent = nd.label;
      label.setAttribute("style", "stroke:none");
    } else {
      el("circle", { r: nd.r, fill: nd.color, stroke: "#fff", "stroke-width": 1.5 }, g);
      var text = el("text", { "text-anchor": "middle", dy: nd.r + 11, "class": "plabel" }, g);
      text.textContent = nd.label;
    }
    var tip = el("title", {}, g);
    tip.textContent = nd.title + " (" + nd.id + ")";
    g.addEventListener("click", function (ev) { ev.stopPropagation(); select(nd); });
    g.addEventListener("keydown", function (ev) { if (ev.key === "Enter") select(nd); });
    g.addEventListener("pointerdown", function (ev) { startDrag(ev, nd); });
    nd.g = g;
  });
  function place() {
    edges.forEach(function (e) {
      var a = byId[e.source], b = byId[e.target];
      var x = b.x - a.x, y = b.y - a.y, d = Math.sqrt(x * x + y * y) || 1;
      var endGap = DIRECTED[e.kind] ? (b.kind === "topic" ? 12 : b.r + 2) : 0;
      var startGap = e.kind === "link" && e.both ? a.r + 2 : 0;
      e.line.setAttribute("x1", (a.x + x / d * startGap).toFixed(1));
      e.line.setAttribute("y1", (a.y + y / d * startGap).toFixed(1));
      e.line.setAttribute("x2", (b.x - x / d * endGap).toFixed(1));
      e.line.setAttribute("y2", (b.y - y / d * endGap).toFixed(1));
    });
    nodes.forEach(function (nd) {
      var k = nd.kind === "topic" ? topicScale : Math.sqrt(topicScale);
      var scale = k !== 1 ? " scale(" + k.toFixed(2) + ")" : "";
      nd.g.setAttribute("transform", "translate(" + nd.x.toFixed(1) + "," + nd.y.toFixed(1) + ")" + scale);
    });
  }
  var topicScale = 1;
  place();

  // ---- pan and zoom ----
  var view = { x: 0, y: 0, k: 1 };
  function applyView() {
    viewport.setAttribute("transform", "translate(" + view.x + "," + view.y + ") scale(" + view.k + ")");
    svg.classList.toggle("far", view.k < 0.75 && n > 40);
    // Zoomed out, topic boxes grow so their names stay readable on screen.
    var scale = Math.min(2.5, Math.max(1, 0.8 / view.k));
    if (Math.abs(scale - topicScale) > 0.05) { topicScale = scale; place(); }
  }
  function fit() {
    var box = svg.getBoundingClientRect(), minX = Infinity, minY = Infinity, maxX = -Infinity, maxY = -Infinity;
    nodes.forEach(function (nd) {
      minX = Math.min(minX, nd.x); minY = Math.min(minY, nd.y);
      maxX = Math.max(maxX, nd.x); maxY = Math.max(maxY, nd.y);
    });
    if (!nodes.length) return;
    var w = Math.max(1, maxX - minX + 120), hgt = Math.max(1, maxY - minY + 80);
    view.k = Math.min((box.width || 800) / w, (box.height || 600) / hgt, 2);
    view.x = (box.width || 800) / 2 - (minX + maxX) / 2 * view.k;
    view.y = (box.height || 600) / 2 - (minY + maxY) / 2 * view.k;
    applyView();
  }
  fit();
  window.addEventListener("resize", fit);
  svg.addEventListener("wheel", function (ev) {
    ev.preventDefault();
    var box = svg.getBoundingClientRect(), mx = ev.clientX - box.left, my = ev.clientY - box.top;
    var k = Math.max(0.05, Math.min(8, view.k * Math.exp(-ev.deltaY * 0.0015)));
    view.x = mx - (mx - view.x) * k / view.k; view.y = my - (my - view.y) * k / view.k; view.k = k;
    applyView();
  }, { passive: false });
  var drag = null;
  function startDrag(ev, nd) { ev.stopPropagation(); drag = { node: nd, x: ev.clientX, y: ev.clientY, moved: false }; }
  svg.addEventListener("pointerdown", function (ev) {
    drag = { node: null, x: ev.clientX, y: ev.clientY, moved: false }; svg.classList.add("panning");
  });
  window.addEventListener("pointermove", function (ev) {
    if (!drag) return;
    var dx = ev.clientX - drag.x, dy = ev.clientY - drag.y;
    if (Math.abs(dx) + Math.abs(dy) > 2) drag.moved = true;
    drag.x = ev.clientX; drag.y = ev.clientY;
    if (drag.node) { drag.node.x += dx / view.k; drag.node.y += dy / view.k; drag.node.fixed = true; place(); }
    else { view.x += dx; view.y += dy; applyView(); }
  });
  window.addEventListener("pointerup", function () {
    if (drag && !drag.node && !drag.moved) select(null);
    drag = null; svg.classList.remove("panning");
  });

  // ---- selection, search, filters ----
  var details = document.getElementById("details");
  var hiddenKinds = {}, activeGroup = null, selected = null;
  function neighbours(nd) {
    var out = [];
    edges.forEach(function (e) {
      if (hiddenKinds[e.kind]) return;
      if (e.source === nd.id) out.push({ edge: e, other: byId[e.target] });
      else if (e.target === nd.id) out.push({ edge: e, other: byId[e.source] });
    });
    var order = { link: 0, mention: 1, similar: 2, tag: 3, parent: 4, "shared-tag": 5 };
    out.sort(function (a, b) { return (order[a.edge.kind] - order[b.edge.kind]) || (a.other.label < b.other.label ? -1 : 1); });
    return out;
  }
  function select(nd) {
    selected = nd;
    details.textContent = "";
    nodes.forEach(function (m) { m.g.classList.toggle("selected", m === nd); });
    if (!nd) { highlight(null); return; }
    var near = {}; near[nd.id] = true;
    var list = neighbours(nd);
    list.forEach(function (x) { near[x.other.id] = true; });
    highlight(function (m) { return near[m.id]; }, function (e) { return e.source === nd.id || e.target === nd.id; });
    h("h2", nd.title, details);
    var meta = [nd.kind === "topic" ? "topic" : nd.id];
    if (nd.decision) meta.push(nd.decision);
    h("div", meta.join(" · "), details, "meta");
    if (nd.kind === "paper" && nd.tags.length) h("div", "Tags: " + nd.tags.join(", "), details, "meta");
    if (nd.url && /^https?:\/\//.test(nd.url)) {
      var a = h("a", "Open the paper", h("div", null, details));
      a.setAttribute("href", nd.url); a.setAttribute("target", "_blank"); a.setAttribute("rel", "noopener noreferrer");
    }
    h("h2", "Connections (" + list.length + ")", details).style.marginTop = "12px";
    var ul = h("ul", null, details);
    list.forEach(function (x) {
      var li = h("li", null, ul);
      h("span", x.edge.kind, li, "kind");
      var b = h("button", x.other.kind === "topic" ? "#" + x.other.label : x.other.title, li);
      b.addEventListener("click", function () { select(x.other); });
      if (x.edge.label) h("div", x.edge.label, li, "meta");
    });
  }
  function highlight(keepNode, keepEdge) {
    nodes.forEach(function (m) {
      var keep = !!(keepNode && keepNode(m));
      m.g.classList.toggle("dim", !!keepNode && !keep);
      m.g.classList.toggle("near", keep);
    });
    edges.forEach(function (e) {
      e.line.classList.toggle("hidden", !!hiddenKinds[e.kind]);
      e.line.classList.toggle("dim", !!keepNode && !(keepEdge ? keepEdge(e) : keepNode(byId[e.source]) && keepNode(byId[e.target])));
    });
  }
  document.getElementById("search").addEventListener("input", function (ev) {
    var q = ev.target.value.trim().toLowerCase();
    activeGroup = null; syncLegend();
    if (!q) { highlight(null); return; }
    highlight(function (m) {
      return (m.title + " " + m.id + " " + m.tags.join(" ")).toLowerCase().indexOf(q) >= 0;
    });
  });
  document.getElementById("labels").addEventListener("change", function (ev) {
    svg.classList.toggle("nolabels", !ev.target.checked);
  });
  var kindsBox = document.getElementById("kinds");
  kindsPresent.forEach(function (kind) {
    var label = h("label", null, kindsBox);
    var box = document.createElement("input");
    box.type = "checkbox"; box.checked = true;
    box.addEventListener("change", function () { hiddenKinds[kind] = !box.checked; select(selected); });
    label.appendChild(box); label.appendChild(document.createTextNode(" " + kind + " "));
  });
  var legend = document.getElementById("legend");
  function syncLegend() {
    Array.prototype.forEach.call(legend.children, function (b) { b.classList.toggle("on", b.dataset.group === activeGroup); });
  }
  data.groups.forEach(function (g) {
    var b = h("button", null, legend);
    b.dataset.group = g.name;
    var sw = h("span", null, b, "swatch"); sw.style.background = g.color;
    b.appendChild(document.createTextNode(g.label + " (" + g.papers + ")"));
    b.addEventListener("click", function () {
      activeGroup = activeGroup === g.name ? null : g.name; syncLegend();
      highlight(activeGroup ? function (m) { return m.group === activeGroup; } : null);
    });
  });
  document.addEventListener("keydown", function (ev) { if (ev.key === "Escape") select(null); });
  document.body.setAttribute("data-ready", String(nodes.length));
})();
</script>
</body>
</html>
"""
