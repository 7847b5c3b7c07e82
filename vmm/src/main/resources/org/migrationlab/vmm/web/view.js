// The live view's page: decodes the map frames (see MapFrames) and the JSON messages (see ViewMessage),
// keeps one state byte per page, and draws one pixel per page, scaled up by CSS.
"use strict";
(function () {
  const ZERO = 0x80, ROUND_0 = 16;
  const KINDS = { 0: "not-sent", 1: "dirtied", 2: "ballooned", 3: "stop-and-copy", 4: "push", 5: "prepage", 6: "demand" };
  const LABELS = { "not-sent": "not yet sent", "dirtied": "dirtied again", "ballooned": "ballooned",
    "stop-and-copy": "stop-and-copy", "push": "pushed", "prepage": "prepaged (bubbling)", "demand": "fetched on demand (network fault)" };
  const BASE = { 0: [217, 217, 217], 1: [229, 57, 53], 2: [142, 36, 170], 3: [251, 140, 0], 4: [30, 136, 229],
    5: [67, 160, 71], 6: [253, 216, 53] };

  function kindOf(state) {
    const k = state & 0x7f;
    return k >= ROUND_0 ? "precopy-round-" + (k - ROUND_0) : (KINDS[k] || "unknown");
  }
  function hsl(h, s, l) {
    const f = n => { const k = (n + h / 30) % 12, a = s * Math.min(l, 1 - l);
      return Math.round(255 * (l - a * Math.max(-1, Math.min(k - 3, 9 - k, 1)))); };
    return [f(0), f(8), f(4)];
  }
  function rgbOf(state) {
    const k = state & 0x7f;
    let c = k >= ROUND_0 ? hsl((180 + (k - ROUND_0) * 47) % 360, 0.55, 0.42) : (BASE[k] || [0, 0, 0]);
    if (state & ZERO) c = c.map(v => Math.round(v + (255 - v) * 0.55));
    return c;
  }
  const PALETTE = new Uint32Array(256); // ABGR, for a little-endian Uint32 view of ImageData
  for (let s = 0; s < 256; s++) { const [r, g, b] = rgbOf(s); PALETTE[s] = (255 << 24 | b << 16 | g << 8 | r) >>> 0; }
  const css = s => "rgb(" + rgbOf(s).join(",") + ")";

  const view = window.liveView = {
    pages: 0, states: null, counts: new Float64Array(256), ticks: 0, frames: 0, bytes: 0, messages: 0,
    applyMillis: 0, maxApplyMillis: 0, migration: null, history: [], ended: null, closed: false, phase: "connecting", pivot: -1, startedAt: performance.now(),
    kindCounts() {
      const out = {};
      for (let s = 0; s < 256; s++) {
        if (!this.counts[s]) continue;
        const k = kindOf(s);
        out[k] = (out[k] || 0) + this.counts[s];
        if (s & ZERO) out.zero = (out.zero || 0) + this.counts[s];
      }
      return out;
    },
  };

  const canvas = document.getElementById("pageMap");
  const ctx = canvas.getContext("2d");
  let image = null, pixels = null, dirty = false;

  function setup(pages) {
    view.pages = pages;
    view.states = new Uint8Array(pages);
    view.counts.fill(0);
    view.counts[0] = pages;
    const cell = pages <= 32768 ? 4 : 2, cols = 1024 / cell, rows = Math.max(1, Math.ceil(pages / cols));
    canvas.width = cols; canvas.height = rows;
    canvas.style.width = cols * cell + "px"; canvas.style.height = rows * cell + "px";
    image = ctx.createImageData(cols, rows);
    pixels = new Uint32Array(image.data.buffer);
    pixels.fill(0xffeeeeee);
    for (let p = 0; p < pages; p++) pixels[p] = PALETTE[0];
    dirty = true;
  }
  function put(page, state) {
    const old = view.states[page];
    if (old === state) return;
    view.counts[old]--; view.counts[state]++;
    view.states[page] = state;
    pixels[page] = PALETTE[state];
  }
  function onBinary(buf) {
    const t0 = performance.now(), d = new DataView(buf), type = d.getUint8(0), pages = d.getInt32(1);
    if (!view.states || view.pages !== pages) setup(pages);
    if (type === 1) {
      const bytes = new Uint8Array(buf, 5, pages);
      for (let p = 0; p < pages; p++) put(p, bytes[p]);
    } else if (type === 2) {
      const words = d.getInt32(5);
      let at = 9;
      for (let w = 0; w < words; w++) {
        const base = d.getInt32(at) * 64, hi = d.getUint32(at + 4), lo = d.getUint32(at + 8);
        at += 12;
        for (let b = 0; b < 32; b++) if (lo & (1 << b)) put(base + b, d.getUint8(at++));
        for (let b = 0; b < 32; b++) if (hi & (1 << b)) put(base + 32 + b, d.getUint8(at++));
      }
    }
    const took = performance.now() - t0;
    view.applyMillis += took;
    view.maxApplyMillis = Math.max(view.maxApplyMillis, took);
    dirty = true;
  }

  function draw() {
    if (dirty && image) {
      ctx.putImageData(image, 0, 0);
      if (view.pivot >= 0 && view.pivot < view.pages) {
        const x = view.pivot % canvas.width, y = Math.floor(view.pivot / canvas.width);
        ctx.fillStyle = "#000";
        ctx.fillRect(x - 3, y, 7, 1); ctx.fillRect(x, y - 3, 1, 7);
      }
      view.frames++;
      dirty = false;
      legend();
    }
    requestAnimationFrame(draw);
  }
  requestAnimationFrame(draw);

  function legend() {
    const kinds = view.kindCounts(), ul = document.getElementById("legend"), rows = [];
    const order = ["not-sent"].concat(Object.keys(kinds).filter(k => k.startsWith("precopy-round-")).sort(
      (a, b) => parseInt(a.slice(14)) - parseInt(b.slice(14))), ["dirtied", "stop-and-copy", "push", "prepage", "demand", "ballooned"]);
    for (const k of order) {
      let state = Object.entries(KINDS).find(e => e[1] === k);
      state = state ? +state[0] : ROUND_0 + parseInt(k.slice(14));
      const zero = view.counts[state | ZERO] || 0, all = kinds[k] || 0;
      const label = LABELS[k] || "sent in pre-copy round " + k.slice(14);
      rows.push('<li data-kind="' + k + '" data-count="' + all + '"><span class="swatch" style="background:' + css(state) +
        '"></span><span class="swatch" style="background:' + css(state | ZERO) + '"></span>' + label + ": " +
        all.toLocaleString("en") + (zero ? " (zero " + zero.toLocaleString("en") + ")" : "") + "</li>");
    }
    rows.push("<li>pivot (last network fault): " + (view.pivot >= 0 ? "page " + view.pivot : "none") + "</li>");
    ul.innerHTML = rows.join("");
  }

  const NAMES = [["remaining", "pages remaining"], ["rounds", "pre-copy rounds"], ["duplicate", "zero pages sent"],
    ["normal", "pages sent with data"], ["normalBytes", "data bytes"], ["resent", "resent pages"],
    ["postcopyRequests", "network faults served"], ["balloonedSkips", "ballooned, not sent"],
    ["dirtyPagesRate", "dirty pages/s"], ["cpuThrottle", "cpu throttle %"]];
  function counters(c) {
    const rows = NAMES.map(([k, label]) => "<tr><td>" + label + "</td><td>" + Math.round(c[k] || 0).toLocaleString("en") + "</td></tr>");
    for (const [k, v] of Object.entries(c.pagesByKind || {})) rows.push("<tr><td>" + k + "</td><td>" + v.toLocaleString("en") + "</td></tr>");
    document.getElementById("counters").innerHTML = rows.join("");
  }

  const timeline = document.getElementById("timeline"), tctx = timeline.getContext("2d");
  function drawTimeline() {
    const h = view.history.slice(-timeline.width / 2), H = timeline.height - 10;
    const max = Math.max(1, ...h.map(t => t.bulkBytes + t.urgentBytes));
    tctx.clearRect(0, 0, timeline.width, timeline.height);
    h.forEach((t, i) => {
      const x = i * 2, b = t.bulkBytes / max * H, u = t.urgentBytes / max * H;
      tctx.fillStyle = "#1e88e5"; tctx.fillRect(x, H - b, 2, b);
      tctx.fillStyle = "#fb8c00"; tctx.fillRect(x, H - b - u, 2, u);
      if (t.faults > 0) { tctx.fillStyle = "#e53935"; tctx.fillRect(x, H + 2, 2, 8); }
    });
    tctx.fillStyle = "#333";
    tctx.fillText((max / 1e6).toFixed(2) + " MB", 4, 12);
  }

  function stepping(s) {
    view.stepping = s;
    if (!s) return;
    document.getElementById("controls").hidden = false;
    document.getElementById("held").textContent = !s.paused ? "running" :
      s.heldAt ? "paused before the next " + s.heldAt.replace("-", " ") : "paused (takes effect at the next step)";
    if (s.slices > 0) {
      document.getElementById("held").textContent += "; guest slices: " + s.slices + " of " + s.sliceUnits + " units";
    }
  }
  function send(command) { ws.send(JSON.stringify(command)); }
  document.getElementById("run").onclick = () => send({ command: "run" });
  document.getElementById("pause").onclick = () => send({ command: "pause" });
  document.getElementById("stepRound").onclick = () => send({ command: "step", step: "precopy-round" });
  document.getElementById("stepBatch").onclick = () => send({ command: "step", step: "prepage-batch" });
  document.getElementById("stepFault").onclick = () => send({ command: "step", step: "network-fault" });
  document.getElementById("stepSlice").onclick = () => send({ command: "step", step: "guest-slice" });

  function banner(text, kind) {
    const b = document.getElementById("banner");
    b.textContent = text; b.className = "banner " + kind; b.hidden = false;
  }
  function onMessage(m) {
    if (m.type === "hello") {
      view.hello = m;
      document.getElementById("title").textContent = m.title;
      document.getElementById("mapSize").textContent = m.pages.toLocaleString("en") + " pages of " + m.pageSize + " bytes, one cell each";
      if (!view.states || view.pages !== m.pages) setup(m.pages);
    } else if (m.type === "tick") {
      view.ticks++;
      view.phase = m.phase;
      if (!view.migration && m.phase !== "guest running") {
        view.migration = { since: performance.now(), frames: view.frames, bytes: view.bytes };
      }
      view.pivot = m.pivot;
      document.getElementById("phase").textContent = m.phase;
      view.history.push({ at: m.atMillis, bulkBytes: m.bulkBytes, urgentBytes: m.urgentBytes, faults: m.faults,
        phase: m.phase, kinds: view.kindCounts() });
      if (view.history.length > 3000) view.history.shift();
      view.lastCounters = m.counters;
      counters(m.counters);
      stepping(m.stepping);
      drawTimeline();
      dirty = true;
    } else if (m.type === "ended") {
      view.ended = m;
      document.getElementById("controls").hidden = true;
      if (view.migration) {
        // What the view cost while the migration ran: frames drawn and bytes received per second.
        const s = Math.max(1e-3, (performance.now() - view.migration.since) / 1000);
        view.migration.seconds = s;
        view.migration.fps = (view.frames - view.migration.frames) / s;
        view.migration.bytesPerSecond = (view.bytes - view.migration.bytes) / s;
      }
      if (m.status === "completed") {
        banner("Migration completed in " + Math.round(m.totalMillis) + " ms, downtime " + Math.round(m.downtimeMillis) + " ms", "ok");
      } else {
        banner("Migration " + m.status + ": " + (m.error || "no reason given"), "failed");
      }
      latency(m.faultLatencyMicros || {});
    }
  }
  function latency(l) {
    const max = Math.max(1, ...Object.values(l)), el = document.getElementById("latency");
    el.innerHTML = Object.keys(l).length === 0 ? "no network faults" : Object.entries(l).map(([k, v]) =>
      '<div class="row"><span class="label">' + k + " " + Math.round(v).toLocaleString("en") +
      '</span><span class="bar" style="width:' + Math.max(2, v / max * 260) + 'px"></span></div>').join("");
  }

  function stats() {
    const s = (performance.now() - view.startedAt) / 1000;
    view.fps = view.frames / s; view.bytesPerSecond = view.bytes / s;
    document.getElementById("stats").textContent = "view: " + view.frames + " frames, " + view.fps.toFixed(1) +
      " frames/s, " + (view.bytesPerSecond / 1024).toFixed(1) + " KiB/s received, " +
      (view.ticks ? (view.applyMillis / view.ticks).toFixed(2) : "0") + " ms per update";
  }
  setInterval(stats, 1000);

  const ws = new WebSocket((location.protocol === "https:" ? "wss://" : "ws://") + location.host + "/live");
  ws.binaryType = "arraybuffer";
  ws.onopen = () => { document.getElementById("phase").textContent = "connected"; };
  ws.onmessage = e => {
    view.messages++;
    if (typeof e.data === "string") { view.bytes += e.data.length; onMessage(JSON.parse(e.data)); }
    else { view.bytes += e.data.byteLength; onBinary(e.data); }
  };
  ws.onclose = () => {
    view.closed = true;
    if (!view.ended) banner("The connection to the migration closed before it ended (the process exited?)", "closed");
    stats();
  };
})();
