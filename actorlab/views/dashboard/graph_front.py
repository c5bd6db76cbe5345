"""The drawn tree's front end: an inline ES module and its CSS (anywidget; no build step).

Every colour is a JupyterLab CSS variable (``--jp-...``) with a light-theme fallback, so the
tree follows the light and dark themes (and works outside JupyterLab: VS Code, Colab).
The module draws an SVG: supervisors as square boxes with their strategy under the name,
workers as rounded ones, a status stripe, ``✉`` mailbox depth, ``↻`` restarts and ``⇪`` upgrades;
edges from each parent to its children; a ``−``/``+`` toggle collapses a subtree. Clicking a
node sets ``selected``. ``flows`` animates dots between nodes (at most ``MAX_DOTS`` in flight);
``active`` pulses the nodes that processed messages since the last frame.

Busy kernel: a click sends a ``ping``; the dashboard's next frame answers ``pong``. Frames run on
the kernel's event loop, which a running cell blocks, so an unanswered ping after 400 ms shows
"kernel busy: N actions queued" until the cell ends. Clicks on the dashboard's other buttons
count too.
"""

from __future__ import annotations

import re


def short_strategy(text: str) -> str:
    """A strategy for a node's second line: ``OneForOne(3 in 60s)``, ``default (terminate)``."""
    if "(default)" in text:
        return "default: " + text.replace("(default)", "").split()[0]
    m = re.fullmatch(r"(\w+)\(max_restarts=([\d.]+), within=([\d.]+)\)", text.strip())
    if m:
        return f"{m.group(1)}({m.group(2)} in {m.group(3)}s)"
    return text


ESM = r"""
const ROW = 36, COL = 156, NODE_W = 128, WORKER_H = 22, SUP_H = 30, PAD = 8, TOP = 8;
const MIN_SCALE = 0.7;  // a wide tree shrinks to fit its pane down to this, then scrolls
const MAX_DOTS = 40;
const STATUS = ["starting", "idle", "processing", "paused", "suspended", "failed",
                "restarting", "stopping", "stopped"];

function esc(s) {
  return String(s).replace(/[&<>"']/g, (c) => ({"&": "&amp;", "<": "&lt;", ">": "&gt;",
    '"': "&quot;", "'": "&#39;"}[c]));
}

function cut(s, n) { s = String(s); return s.length <= n ? s : s.slice(0, n - 1) + "…"; }

function layout(nodes, collapsed) {
  const byId = new Map(nodes.map((n) => [n.id, n]));
  const kids = new Map();
  const roots = [];
  for (const n of nodes) {
    if (n.p && byId.has(n.p)) {
      if (!kids.has(n.p)) kids.set(n.p, []);
      kids.get(n.p).push(n);
    } else roots.push(n);
  }
  const below = (id) => (kids.get(id) || []).reduce((a, k) => a + 1 + below(k.id), 0);
  const pos = new Map();
  let next = 0, depthMax = 0;
  const place = (n, depth) => {
    depthMax = Math.max(depthMax, depth);
    const closed = collapsed.has(n.id);
    const ch = closed ? [] : (kids.get(n.id) || []);
    let y;
    if (!ch.length) y = next++;
    else {
      const ys = ch.map((c) => place(c, depth + 1));
      y = (ys[0] + ys[ys.length - 1]) / 2;
    }
    pos.set(n.id, {n, depth, y, hidden: closed ? below(n.id) : 0,
                   nkids: (kids.get(n.id) || []).length});
    return y;
  };
  for (const r of roots) place(r, 0);
  return {pos, rows: next, depthMax};
}

function nodeXY(p) {
  return {x: PAD + p.depth * COL, y: TOP + p.y * ROW + (ROW - (p.n.k === "sup" ? SUP_H : WORKER_H)) / 2};
}

function height(p) { return p.n.k === "sup" ? SUP_H : WORKER_H; }

function badges(n) {
  const b = ["\u2709" + n.m];
  if (n.r) b.push("\u21bb" + n.r);
  if (n.u) b.push("\u21ea" + n.u);
  if (n.f && !n.r) b.push("\u2716" + n.f);
  return b.join(" ");
}

function drawNode(p, selected) {
  const n = p.n, {x, y} = nodeXY(p), h = height(p);
  const status = STATUS.includes(n.s) ? n.s : "idle";
  const cls = ["al-node", "al-s-" + status, n.k === "sup" ? "al-sup" : "al-worker"];
  if (n.id === selected) cls.push("al-selected");
  const tip = `${n.path} (${n.t}) · ${n.s} · mailbox ${n.m} · restarts ${n.r}` +
              (n.u ? ` · upgrades ${n.u}` : "") + (n.k === "sup" ? ` · strategy ${n.g}` : "");
  let s = `<g class="${cls.join(" ")}" data-id="${esc(n.id)}" transform="translate(${x},${y})">`;
  s += `<title>${esc(tip)}</title>`;
  s += `<rect class="al-box" width="${NODE_W}" height="${h}" rx="${n.k === "sup" ? 2 : 11}"/>`;
  s += `<rect class="al-stripe" x="0" y="0" width="6" height="${h}" rx="2"/>`;
  s += `<text class="al-label" x="12" y="${n.k === "sup" ? 12 : 15}">${esc(cut(n.l, 11))}</text>`;
  s += `<text class="al-badges" x="${NODE_W - 6}" y="${n.k === "sup" ? 12 : 15}">${esc(badges(n))}</text>`;
  if (n.k === "sup") {
    s += `<text class="al-strategy" x="12" y="25">${esc(cut(n.g, 23))}</text>`;
  }
  if (p.nkids) {
    const label = p.hidden ? "+" : "\u2212";
    s += `<g class="al-toggle" data-toggle="${esc(n.id)}"><title>${p.hidden ? "expand" : "collapse"}</title>` +
         `<circle cx="${NODE_W + 9}" cy="${h / 2}" r="7"/>` +
         `<text x="${NODE_W + 9}" y="${h / 2 + 4}">${label}</text></g>`;
    if (p.hidden) {
      s += `<text class="al-hidden" x="${NODE_W + 20}" y="${h / 2 + 4}">${p.hidden} hidden</text>`;
    }
  }
  return s + "</g>";
}

function drawEdge(parent, child) {
  const a = nodeXY(parent), b = nodeXY(child);
  const x1 = a.x + NODE_W + (parent.nkids ? 16 : 0), y1 = a.y + height(parent) / 2;
  const x2 = b.x, y2 = b.y + height(child) / 2;
  const mx = (x1 + x2) / 2;
  return `<path class="al-edge" data-edge="${esc(parent.n.id)}>${esc(child.n.id)}" ` +
         `d="M${x1},${y1} C${mx},${y1} ${mx},${y2} ${x2},${y2}"/>`;
}

const LEGEND = `<div class="al-legend">` +
  `<span class="al-key al-key-sup"></span>supervisor (strategy below its name)` +
  `<span class="al-key al-key-worker"></span>worker` +
  `<span class="al-dot al-s-idle"></span>idle<span class="al-dot al-s-processing"></span>busy` +
  `<span class="al-dot al-s-paused"></span>paused<span class="al-dot al-s-failed"></span>failed` +
  `<span class="al-dot al-s-restarting"></span>restarting` +
  ` \u00b7 \u2709 mailbox \u00b7 \u21bb restarts \u00b7 \u21ea upgrades</div>`;

function render({ model, el }) {
  el.classList.add("actorlab-graph-root");
  el.innerHTML = LEGEND + `<div class="actorlab-busy" hidden></div>` +
                 `<div class="actorlab-graph"><svg xmlns="http://www.w3.org/2000/svg"></svg></div>`;
  const busy = el.querySelector(".actorlab-busy");
  const box = el.querySelector(".actorlab-graph");
  const svg = el.querySelector("svg");
  let positions = new Map();
  let nodes = [], index = new Map();
  const load = () => {
    try { nodes = JSON.parse(model.get("nodes_json") || "[]"); } catch (e) { nodes = []; }
    index = new Map(nodes.map((n, i) => [n.id, i]));
  };
  const patch = () => {
    let p = null;
    try { p = JSON.parse(model.get("patch_json") || "null"); } catch (e) { p = null; }
    if (!p || !p.nodes) return;
    for (const n of p.nodes) {
      const i = index.get(n.id);
      if (i !== undefined) nodes[i] = n;
    }
    draw();
  };
  let pings = 0, pongs = 0, timer = null;

  const showBusy = () => {
    const n = pings - pongs;
    el.dataset.pings = pings;
    el.dataset.pongs = pongs;
    if (n > 0) {
      busy.textContent = `kernel busy: ${n} action${n === 1 ? "" : "s"} queued ` +
                         `(they take effect when the running cell finishes)`;
      busy.hidden = false;
      el.classList.add("al-kernel-busy");
    } else {
      busy.hidden = true;
      el.classList.remove("al-kernel-busy");
    }
  };
  const ping = () => {
    pings += 1;
    model.send({ping: pings});
    clearTimeout(timer);
    timer = setTimeout(showBusy, 400);
  };
  model.on("msg:custom", (msg) => {
    if (msg && typeof msg.pong === "number") { pongs = Math.max(pongs, msg.pong); showBusy(); }
  });
  // Clicks on the dashboard's own buttons (tell, step, ...) wait behind a running cell too.
  // (Looked up at click time: when render runs, el may not be in the page yet.)
  const onDashClick = (e) => {
    const dash = el.closest(".actorlab-dashboard");
    const t = e.target.closest && e.target.closest("button");
    if (dash && t && !t.disabled && dash.contains(t) && !el.contains(t)) ping();
  };
  document.addEventListener("click", onDashClick, true);

  const draw = () => {
    const collapsed = new Set(model.get("collapsed") || []);
    const selected = model.get("selected");
    const {pos, rows, depthMax} = layout(nodes, collapsed);
    positions = pos;
    const w = PAD * 2 + depthMax * COL + NODE_W + 80, h = TOP * 2 + Math.max(rows, 1) * ROW;
    const avail = box.clientWidth || w;
    const k = Math.max(MIN_SCALE, Math.min(1, (avail - 2) / w));
    const edges = [], drawn = [];
    for (const p of pos.values()) {
      const parent = p.n.p ? pos.get(p.n.p) : null;
      if (parent) edges.push(drawEdge(parent, p));
      drawn.push(drawNode(p, selected));
    }
    svg.setAttribute("width", Math.round(w * k));
    svg.setAttribute("height", Math.round(h * k));
    svg.setAttribute("viewBox", `0 0 ${w} ${h}`);
    svg.innerHTML = `<g class="al-edges">${edges.join("")}</g><g class="al-nodes">${drawn.join("")}</g>` +
                    `<g class="al-flows"></g>` +
                    (nodes.length ? "" : `<text class="al-empty" x="${PAD}" y="24">no actors</text>`);
  };

  const centre = (id) => {
    const p = positions.get(id);
    if (!p) return null;
    const {x, y} = nodeXY(p);
    return [x + NODE_W / 2, y + height(p) / 2];
  };
  const animate = () => {
    const layer = svg.querySelector(".al-flows");
    if (!layer) return;
    for (const [src, dst] of (model.get("flows") || {}).items || []) {
      if (layer.childNodes.length >= MAX_DOTS) break;
      const b = centre(dst);
      if (!b) continue;
      const a = centre(src) || [2, b[1]];
      const dot = document.createElementNS("http://www.w3.org/2000/svg", "circle");
      dot.setAttribute("r", "4");
      dot.setAttribute("class", "al-flow");
      layer.appendChild(dot);
      const anim = dot.animate(
        [{transform: `translate(${a[0]}px,${a[1]}px)`}, {transform: `translate(${b[0]}px,${b[1]}px)`}],
        {duration: 650, easing: "ease-in-out"});
      anim.onfinish = () => dot.remove();
    }
  };
  const pulse = () => {
    for (const id of model.get("active") || []) {
      const g = svg.querySelector(`g.al-node[data-id="${CSS.escape(id)}"]`);
      if (!g) continue;
      g.classList.remove("al-pulse");
      void g.getBBox();
      g.classList.add("al-pulse");
    }
  };

  svg.addEventListener("click", (e) => {
    const toggle = e.target.closest("[data-toggle]");
    if (toggle) {
      const id = toggle.getAttribute("data-toggle");
      const set = new Set(model.get("collapsed") || []);
      if (set.has(id)) set.delete(id); else set.add(id);
      model.set("collapsed", [...set]);
      model.save_changes();
      draw();
      return;
    }
    const g = e.target.closest("g.al-node");
    if (!g) return;
    model.set("selected", g.getAttribute("data-id"));
    model.save_changes();
    draw();
    ping();
  });

  model.on("change:nodes_json", () => { load(); draw(); });
  model.on("change:patch_json", patch);
  model.on("change:collapsed", draw);
  model.on("change:selected", draw);
  model.on("change:flows", animate);
  model.on("change:active", pulse);
  load();
  draw();
  let width = box.clientWidth;
  const resized = new ResizeObserver(() => {
    if (box.clientWidth !== width) { width = box.clientWidth; draw(); }
  });
  resized.observe(box);
  return () => {
    resized.disconnect();
    document.removeEventListener("click", onDashClick, true);
    clearTimeout(timer);
  };
}

export default { render };
"""

CSS = r"""
.actorlab-graph-root {
  --al-idle: var(--jp-success-color1, #388e3c);
  --al-busy: var(--jp-brand-color1, #1976d2);
  --al-held: var(--jp-warn-color1, #f57c00);
  --al-failed: var(--jp-error-color1, #d32f2f);
  --al-restart: var(--jp-accent-color1, #7b1fa2);
  --al-stopped: var(--jp-border-color1, #9e9e9e);
  --al-fg: var(--jp-ui-font-color1, rgba(0, 0, 0, 0.87));
  --al-fg2: var(--jp-ui-font-color2, rgba(0, 0, 0, 0.54));
  --al-bg: var(--jp-layout-color1, #ffffff);
  --al-bg2: var(--jp-layout-color2, #eeeeee);
  --al-line: var(--jp-border-color2, #bdbdbd);
  font-family: var(--jp-ui-font-family, "DejaVu Sans", sans-serif);
  color: var(--al-fg);
  min-width: 0;
}
.actorlab-graph-root .actorlab-graph {
  max-height: 520px; overflow: auto; border: var(--jp-border-width, 1px) solid var(--al-line);
  background: var(--al-bg); border-radius: 2px;
}
.actorlab-graph-root svg { display: block; }
.actorlab-graph-root .al-edge { fill: none; stroke: var(--al-line); stroke-width: 1.4; }
.actorlab-graph-root .al-node { cursor: pointer; }
.actorlab-graph-root .al-box { fill: var(--al-bg2); stroke: var(--al-line); stroke-width: 1; }
.actorlab-graph-root .al-sup .al-box { stroke-width: 2; stroke: var(--al-fg2); }
.actorlab-graph-root .al-selected .al-box { stroke: var(--al-busy); stroke-width: 3; }
.actorlab-graph-root .al-label { font-size: 12px; fill: var(--al-fg); }
.actorlab-graph-root .al-selected .al-label { font-weight: bold; }
.actorlab-graph-root .al-badges { font-size: 11px; fill: var(--al-fg2); text-anchor: end; }
.actorlab-graph-root .al-strategy { font-size: 9.5px; fill: var(--al-fg2); }
.actorlab-graph-root .al-hidden, .actorlab-graph-root .al-empty { font-size: 11px; fill: var(--al-fg2); }
.actorlab-graph-root .al-toggle circle { fill: var(--al-bg); stroke: var(--al-fg2); }
.actorlab-graph-root .al-toggle text { font-size: 12px; fill: var(--al-fg); text-anchor: middle; cursor: pointer; }
.actorlab-graph-root .al-toggle { cursor: pointer; }
.actorlab-graph-root .al-s-idle .al-stripe, .actorlab-graph-root .al-dot.al-s-idle { fill: var(--al-idle); background: var(--al-idle); }
.actorlab-graph-root .al-s-starting .al-stripe { fill: var(--al-idle); }
.actorlab-graph-root .al-s-processing .al-stripe, .actorlab-graph-root .al-dot.al-s-processing { fill: var(--al-busy); background: var(--al-busy); }
.actorlab-graph-root .al-s-paused .al-stripe, .actorlab-graph-root .al-s-suspended .al-stripe,
.actorlab-graph-root .al-dot.al-s-paused { fill: var(--al-held); background: var(--al-held); }
.actorlab-graph-root .al-s-failed .al-stripe, .actorlab-graph-root .al-dot.al-s-failed { fill: var(--al-failed); background: var(--al-failed); }
.actorlab-graph-root .al-s-failed .al-box { stroke: var(--al-failed); }
.actorlab-graph-root .al-s-restarting .al-stripe, .actorlab-graph-root .al-dot.al-s-restarting { fill: var(--al-restart); background: var(--al-restart); }
.actorlab-graph-root .al-s-stopping .al-stripe, .actorlab-graph-root .al-s-stopped .al-stripe { fill: var(--al-stopped); }
.actorlab-graph-root .al-s-stopped .al-label { fill: var(--al-fg2); text-decoration: line-through; }
.actorlab-graph-root .al-flow { fill: var(--al-busy); opacity: 0.85; pointer-events: none; }
.actorlab-graph-root .al-pulse .al-box { animation: al-pulse 0.6s ease-out; }
@keyframes al-pulse { from { fill: var(--al-busy); } to { fill: var(--al-bg2); } }
.actorlab-graph-root .al-legend { font-size: 11px; color: var(--al-fg2); padding: 2px 0 4px 0; line-height: 18px; }
.actorlab-graph-root .al-key, .actorlab-graph-root .al-dot {
  display: inline-block; width: 10px; height: 10px; margin: 0 3px 0 8px; vertical-align: middle;
}
.actorlab-graph-root .al-key { border: 2px solid var(--al-fg2); background: var(--al-bg2); }
.actorlab-graph-root .al-key-worker { border-width: 1px; border-radius: 6px; }
.actorlab-graph-root .al-dot { border-radius: 5px; }
/* Dashboard-wide rules (anywidget adds this sheet to the page once). Tab titles keep their
   full text and wrap onto a second row instead of being cut ("State & Snapsho"). */
.actorlab-tabs > .lm-TabBar { height: auto !important; min-height: var(--jp-widgets-horizontal-tab-height, 24px); }
.actorlab-tabs > .lm-TabBar > .lm-TabBar-content { flex-wrap: wrap; }
.actorlab-tabs > .lm-TabBar .lm-TabBar-tab { flex: 0 0 auto !important; max-width: none !important; }
.actorlab-dashboard .jupyter-button:disabled { opacity: 0.45; }
.actorlab-filter input { box-sizing: border-box; min-width: 0; }
.actorlab-graph-root .actorlab-busy {
  font-size: 12px; padding: 3px 6px; margin-bottom: 4px; color: var(--al-fg);
  background: rgba(255, 152, 0, 0.22); border-left: 4px solid var(--al-held);
}
"""
