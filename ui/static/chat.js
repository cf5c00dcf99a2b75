// Briefing QA's chat in the browser. Runs as the chat gr.HTML's js_on_load, with `element`,
// `trigger`, `props` and `watch` from Gradio. The server renders each turn (props.value.turns);
// this script places them (redrawing only what changed, so open "Whole answer in context" stays
// open), keeps the queue of questions asked while an answer loads (in local storage, so a reload
// asks them again), positions the view at the start of each new answer, and handles the buttons
// inside answers. Events reach Python as trigger("ask" | "rate" | "comment", data); the server
// echoes data.tok in props.value.done when it has finished, which is how this knows it may go on.
const QUEUE_KEY = "briefqa.queue.v1";
const conv = element.querySelector(".bq-conv");
const list = element.querySelector(".bq-turns");
const welcome = element.querySelector(".bq-welcome");
const nodes = new Map();       // turn id -> its <section>
let turns = [];                // the latest turns from the server
let asks = loadQueue();        // [{id, question, at}]: the one being answered first, then those queued
let ops = [];                  // ratings and comments waiting their turn (never stored)
let busy = null;               // {kind, tok, id}: what the server is doing for us now
let ready = false;             // the stored conversation has been drawn (see restore in ui/wiring.py)
let seq = 0;
let aligned = null;            // id of the turn the view was last positioned at
let lastAlign = 0, userScroll = 0;

function loadQueue() {
  try {
    const v = JSON.parse(localStorage.getItem(QUEUE_KEY) || "[]");
    return Array.isArray(v) ? v.filter((a) => a && typeof a.id === "string" && typeof a.question === "string")
      .map((a) => ({id: a.id, question: a.question, at: 0})) : [];
  } catch (e) { return []; }
}
function saveQueue() {
  try { localStorage.setItem(QUEUE_KEY, JSON.stringify(asks.map(({id, question}) => ({id, question})))); }
  catch (e) { /* storage full or disabled: the queue still works until the page is closed */ }
}
const now = () => performance.now();
const newId = () => "q" + Date.now().toString(36) + Math.random().toString(36).slice(2, 10);

// ---- where the conversation scrolls: its own box on wide screens, the page on a phone ----
function scroller() {
  const o = getComputedStyle(conv).overflowY;
  return o === "auto" || o === "scroll" ? conv : null;
}
function inset(sel, edge) {
  const el = document.querySelector(sel);
  if (!el || scroller()) return 0;
  const s = getComputedStyle(el);
  if (s.position !== "sticky" && s.position !== "fixed") return 0;
  const r = el.getBoundingClientRect();
  return edge === "top" ? Math.max(0, r.bottom) : Math.max(0, window.innerHeight - r.top);
}
function scrollPos() { const s = scroller(); return s ? s.scrollTop : window.scrollY; }
function alignTo(id) {
  const node = nodes.get(id);
  if (!node) return;
  const s = scroller();
  const top = node.getBoundingClientRect().top;
  if (s) s.scrollTop += top - s.getBoundingClientRect().top - 8;
  else window.scrollTo(0, window.scrollY + top - inset("#bq-tools", "top") - 8);
  aligned = id;
  lastAlign = now();
}
function fill() {
  const s = scroller();
  if (s) {  // wide screen: the conversation box takes the height that makes the page fit the window
    const main = document.querySelector("#bq-main"), side = document.querySelector("#bq-side");
    const r = conv.getBoundingClientRect();
    const below = main && side && main.getBoundingClientRect().bottom >= side.getBoundingClientRect().bottom
      ? document.documentElement.scrollHeight - (r.bottom + window.scrollY)  // question box, footer, margins
      : 130;
    conv.style.height = Math.max(320, Math.floor(window.innerHeight - (r.top + window.scrollY) - below)) + "px";
  } else {
    conv.style.height = "";
  }
  // The last turn is at least a screen tall, so a new question can sit at the top of the view.
  const h = s ? s.clientHeight : window.innerHeight - inset("#bq-tools", "top") - inset("#bq-ask-row", "bottom");
  element.style.setProperty("--bq-fill", Math.max(0, h - 16) + "px");
}
for (const ev of ["wheel", "touchmove", "mousedown"]) {
  conv.addEventListener(ev, () => { userScroll = now(); }, {passive: true});
  if (ev !== "mousedown") window.addEventListener(ev, () => { userScroll = now(); }, {passive: true});
}
window.addEventListener("keydown", (ev) => {
  if (["PageUp", "PageDown", "ArrowUp", "ArrowDown", "Home", "End", " "].includes(ev.key)
      && !/^(TEXTAREA|INPUT)$/.test(ev.target.tagName)) userScroll = now();
});
window.addEventListener("resize", fill);
new ResizeObserver(fill).observe(document.querySelector("#bq-chips") || document.body);

// ---- drawing ----
function slot(parent, name) {
  let el = parent.querySelector(`:scope > [data-slot="${name}"]`);
  if (!el) { el = document.createElement("div"); el.dataset.slot = name; parent.appendChild(el); }
  return el;
}
function put(el, html) { if (el._html !== html) { el.innerHTML = html; el._html = html; } }
function turnNode(t) {
  let node = nodes.get(t.id);
  if (!node) {
    node = document.createElement("section");
    node.className = "bq-turn";
    node.dataset.turn = t.id;
    node.innerHTML = '<div class="bq-msg bq-user" data-testid="user"></div>'
      + '<div class="bq-msg bq-bot" data-testid="bot"></div>';
    nodes.set(t.id, node);
  }
  node.dataset.kind = t.kind;
  const user = node.querySelector(".bq-user"), bot = node.querySelector(".bq-bot");
  put(user, t.user || "");
  user.hidden = !t.user;
  bot.dataset.kind = t.kind;
  put(slot(bot, "answer"), t.answer || "");
  put(slot(bot, "actions"), t.actions || "");
  put(slot(bot, "under"), t.under || "");
  return node;
}
function queuedNode(a, label) {
  const node = document.createElement("section");
  node.className = "bq-turn bq-queued";
  node.dataset.queued = a.id;
  const q = document.createElement("div");
  q.className = "bq-msg bq-user";
  q.dataset.testid = "queued";
  q.textContent = a.question;
  const tag = document.createElement("div");
  tag.className = "bq-queued-tag";
  tag.textContent = label;
  node.append(q, tag);
  return node;
}
function draw() {
  const v = props.value || {};
  turns = Array.isArray(v.turns) ? v.turns : [];
  const ids = new Set(turns.map((t) => t.id));
  const fresh = [];
  let prev = null;
  for (const t of turns) {
    const known = nodes.has(t.id);
    const node = turnNode(t);
    if (!known) fresh.push(t);
    if ((prev ? prev.nextSibling : list.firstChild) !== node) list.insertBefore(node, prev ? prev.nextSibling : list.firstChild);
    prev = node;
  }
  for (const [id, node] of nodes) if (!ids.has(id)) { node.remove(); nodes.delete(id); }
  list.querySelectorAll(":scope > .bq-queued").forEach((n) => n.remove());
  const waiting = asks.filter((a) => !ids.has(a.id));
  const queued = waiting.filter((a) => !(busy && busy.id === a.id));
  for (const a of waiting) {
    const k = queued.indexOf(a);
    list.appendChild(queuedNode(a, k < 0 ? "Asking…"
      : `Queued${queued.length > 1 ? ` (${k + 1} of ${queued.length})` : ""}: asked when the answer above is done`));
  }
  welcome.hidden = turns.length > 0 || asks.length > 0;
  fill();
  return fresh;
}

// ---- the server's turn ----
function send(kind, data) {
  busy = {kind, tok: "t" + (++seq) + "-" + Date.now().toString(36), id: data.id};
  trigger(kind, {...data, tok: busy.tok});
}
function pump() {
  if (!ready || busy) return;
  if (ops.length) { const op = ops.shift(); send(op.kind, op.data); return; }
  // A reload after an answer arrived but before this page heard of it: do not ask again.
  while (asks.length && turns.some((t) => t.id === asks[0].id && !t.pending)) asks.shift();
  saveQueue();
  if (!asks.length) { draw(); return; }
  send("ask", {id: asks[0].id, question: asks[0].question});
  draw();
}
function finished() {
  if (busy && busy.kind === "ask") { asks = asks.filter((a) => a.id !== busy.id); saveQueue(); }
  busy = null;
  pump();
}
watch("value", () => {
  const v = props.value || {};
  const fresh = draw();
  if (!ready && v.done === "restore") {
    ready = true;
    if (turns.length) alignTo(turns[turns.length - 1].id);
    pump();
    return;
  }
  // A new question's turn: show its start, unless the reader scrolled away after asking it.
  const asked = busy && busy.kind === "ask" ? asks.find((a) => a.id === busy.id) : null;
  for (const t of fresh) {
    if (asked && t.id === asked.id && userScroll <= Math.max(asked.at, lastAlign)) alignTo(t.id);
  }
  // The answer grew or finished: keep its start in place, never follow it down; leave a reader alone.
  if (aligned && !fresh.some((t) => t.id === aligned) && ids(turns).has(aligned) && userScroll <= lastAlign) {
    alignTo(aligned);
  }
  if (busy && v.done === busy.tok) finished();
});
const ids = (ts) => new Set(ts.map((t) => t.id));

// ---- copying ----
async function writeClipboard(text) {
  try {
    if (navigator.clipboard && window.isSecureContext) { await navigator.clipboard.writeText(text); return true; }
  } catch (e) { /* fall back below */ }
  const area = document.createElement("textarea");  // plain http on another host: no Clipboard API
  area.value = text; area.style.position = "fixed"; area.style.opacity = "0";
  document.body.appendChild(area); area.select();
  let ok = false;
  try { ok = document.execCommand("copy"); } catch (e) { ok = false; }
  area.remove();
  return ok;
}
function toast(text) {
  let el = document.getElementById("bq-toast");
  if (!el) {
    el = document.createElement("div");
    el.id = "bq-toast"; el.setAttribute("role", "status"); el.setAttribute("aria-live", "polite");
    document.body.appendChild(el);
  }
  el.textContent = text;
  el.classList.add("bq-show");
  clearTimeout(el._timer);
  el._timer = setTimeout(() => el.classList.remove("bq-show"), 4000);
}
async function copy(t) {
  if (!t || !t.text) { toast("There is no answer to copy yet."); return; }
  const ok = await writeClipboard(t.text);
  const n = t.sources || 0;
  toast(!ok ? "Could not copy: your browser refused. Select the answer and copy it instead."
    : n ? `Copied answer with ${n} source${n === 1 ? "" : "s"}` : "Copied answer");
}

// ---- clicks inside the conversation ----
element.addEventListener("click", (ev) => {
  const target = ev.target.closest("button, a");
  if (!target) return;
  const turn = target.closest("[data-turn]");
  const t = turn ? turns.find((x) => x.id === turn.dataset.turn) : null;
  if (target.matches("a.bq-cite")) {  // the browser jumps to the card; on a wide screen, inside the chat only
    userScroll = now();
    if (scroller()) { const x = window.scrollX, y = window.scrollY; requestAnimationFrame(() => window.scrollTo(x, y)); }
    return;
  }
  if (target.matches(".bq-example")) { api.submit(target.dataset.q || target.textContent); return; }
  if (target.matches(".bq-copy-one")) { copy(t); return; }
  if (target.matches(".bq-rate") && t) {
    const rating = target.getAttribute("aria-pressed") === "true" ? null : target.dataset.rating;
    turn.querySelectorAll(".bq-rate").forEach((b) => b.setAttribute("aria-pressed", String(b === target && !!rating)));
    ops.push({kind: "rate", data: {id: t.id, rating}});
    pump();
  }
});
element.addEventListener("submit", (ev) => {
  const form = ev.target.closest(".bq-comment-form");
  const turn = form && form.closest("[data-turn]");
  if (!turn) return;
  ev.preventDefault();
  ops.push({kind: "comment", data: {id: turn.dataset.turn, text: form.querySelector("textarea").value}});
  pump();
});
element.addEventListener("keydown", (ev) => {  // Ctrl/Cmd+Enter sends a comment
  if (ev.key === "Enter" && (ev.ctrlKey || ev.metaKey) && ev.target.closest(".bq-comment-form")) {
    ev.preventDefault(); ev.target.closest(".bq-comment-form").requestSubmit();
  }
});
function markCurrent() {  // the quote of the [n] just opened stands out within its card
  element.querySelectorAll("mark.bq-current").forEach((m) => m.classList.remove("bq-current"));
  const m = /^#bq-src-(\d+)-(\d+)$/.exec(location.hash);
  if (!m) return;
  const target = document.getElementById(location.hash.slice(1));
  const card = target && target.closest(".bq-card");
  if (card) card.querySelectorAll(`mark[data-n="${m[2]}"]`).forEach((x) => x.classList.add("bq-current"));
}
window.addEventListener("hashchange", markCurrent);

// ---- what the page's buttons call (ui/wiring.py) ----
const api = {
  submit(question) {
    asks.push({id: newId(), question: String(question || ""), at: now()});
    saveQueue(); draw(); pump();
  },
  copyLatest() { copy([...turns].reverse().find((t) => t.text)); },
  clear() {
    asks = []; ops = []; busy = null; saveQueue();
    for (const node of nodes.values()) node.remove();
    nodes.clear(); aligned = null;
    list.querySelectorAll(":scope > .bq-queued").forEach((n) => n.remove());
    welcome.hidden = false;
  },
  drawer(open) {
    document.documentElement.classList.toggle("bq-drawer-open", !!open);
  },
  state() { return {ready, busy: busy && busy.kind, queued: asks.length, aligned}; },
  toast,
};
window.bqChat = api;

// The question box: what was typed is taken the moment Enter or Ask is pressed (Gradio would read the
// box later, after a fast typist may already have typed the next question), then the box is emptied.
function takeQuestion(ev) {
  const box = document.querySelector("#bq-question textarea");
  if (!box) return;
  ev.preventDefault();
  ev.stopPropagation();
  const question = box.value;
  box.value = "";
  box.dispatchEvent(new Event("input", {bubbles: true}));
  api.submit(question);
}
document.addEventListener("keydown", (ev) => {
  if (ev.key === "Enter" && !ev.shiftKey && !ev.isComposing && ev.target.matches("#bq-question textarea")) takeQuestion(ev);
}, true);
document.addEventListener("click", (ev) => {
  if (ev.target.closest("#bq-ask")) takeQuestion(ev);
}, true);
document.addEventListener("keydown", (ev) => {  // Escape closes the drawer, unless it closes a dropdown in it
  if (ev.key === "Escape" && !ev.target.closest('[aria-expanded="true"]')) api.drawer(false);
});
document.addEventListener("click", (ev) => {
  if (ev.target.id === "bq-backdrop") api.drawer(false);
});
if (!document.getElementById("bq-backdrop")) {
  const b = document.createElement("div");
  b.id = "bq-backdrop";
  document.body.appendChild(b);
}
draw();
