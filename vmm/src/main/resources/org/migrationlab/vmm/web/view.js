// The live view's page: decodes the map frames (see MapFrames) and the JSON messages (see ViewMessage),
// keeps one state byte per page, and draws one pixel per page, scaled up by CSS.
"use strict";
(function () {
  const ZERO = 0x80, ROUND_0 = 16;
  const KINDS = { 0: "not-sent", 1: "dirtied", 2: "ballooned", 3: "stop-and-copy", 4: "push", 5: "prepage", 6: "demand",
    7: "received", 8: "awaited", 9: "touched", 10: "precopied" };
  const LABELS = { "not-sent": "not yet sent", "dirtied": "dirtied again", "ballooned": "ballooned",
    "stop-and-copy": "stop-and-copy", "push": "pushed", "prepage": "prepaged (bubbling)", "demand": "fetched on demand (network fault)",
    "not-received": "not yet received", "precopied": "copied before the switch-over", "received": "received, not yet touched",
    "awaited": "awaited by a network fault", "touched": "received, then touched" };
  const BASE = { 0: [217, 217, 217], 1: [229, 57, 53], 2: [142, 36, 170], 3: [251, 140, 0], 4: [30, 136, 229],
    5: [67, 160, 71], 6: [253, 216, 53], 7: [144, 202, 249], 8: [216, 27, 96], 9: [21, 101, 192], 10: [0, 137, 123] };
  // The legend's rows, in order: a destination's map has states of its own (its pages are received, not sent).
  const ORDER = { source: ["not-sent", "dirtied", "stop-and-copy", "push", "prepage", "demand", "ballooned"],
    destination: ["not-received", "precopied", "received", "awaited", "demand", "touched"] };

  function kindOf(state, role) {
    const k = state & 0x7f;
    if (k === 0 && role === "destination") return "not-received";
    return k >= ROUND_0 ? "precopy-round-" + (k - ROUND_0) : (KINDS[k] || "unknown");
  }
  function stateOf(kind) {
    if (kind === "not-received") return 0;
    const e = Object.entries(KINDS).find(e => e[1] === kind);
    return e ? +e[0] : ROUND_0 + parseInt(kind.slice(14));
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

  // One page map on the page: its states, its counts by state, its canvas and legend. The source's and the
  // destination's decode the same frames (see MapFrames).
  function mapPanel(section, canvasId, legendId, sizeId, role) {
    const canvas = document.getElementById(canvasId), ctx = canvas.getContext("2d");
    let image = null, pixels = null;
    const panel = {
      role, pages: 0, states: null, counts: new Float64Array(256), dirty: false, pivot: -1,
      applyMillis: 0, maxApplyMillis: 0,
      kindCounts() {
        const out = {};
        for (let s = 0; s < 256; s++) {
          if (!this.counts[s]) continue;
          const k = kindOf(s, this.role);
          out[k] = (out[k] || 0) + this.counts[s];
          if (s & ZERO) out.zero = (out.zero || 0) + this.counts[s];
        }
        return out;
      },
      setup(pages) {
        document.getElementById(section).hidden = false;
        this.pages = pages;
        this.states = new Uint8Array(pages);
        this.counts.fill(0);
        this.counts[0] = pages;
        const cell = pages <= 32768 ? 4 : 2, cols = 1024 / cell, rows = Math.max(1, Math.ceil(pages / cols));
        canvas.width = cols; canvas.height = rows;
        canvas.style.width = cols * cell + "px"; canvas.style.height = rows * cell + "px";
        image = ctx.createImageData(cols, rows);
        pixels = new Uint32Array(image.data.buffer);
        pixels.fill(0xffeeeeee);
        for (let p = 0; p < pages; p++) pixels[p] = PALETTE[0];
        this.dirty = true;
      },
      hello(m) {
        document.getElementById(sizeId).textContent = m.pages.toLocaleString("en") + " pages of " + m.pageSize + " bytes, one cell each";
        if (!this.states || this.pages !== m.pages) this.setup(m.pages);
      },
      put(page, state) {
        const old = this.states[page];
        if (old === state) return;
        this.counts[old]--; this.counts[state]++;
        this.states[page] = state;
        pixels[page] = PALETTE[state];
      },
      apply(buf) {
        const t0 = performance.now(), d = new DataView(buf), type = d.getUint8(0), pages = d.getInt32(1);
        if (!this.states || this.pages !== pages) this.setup(pages);
        if (type === 1) {
          const bytes = new Uint8Array(buf, 5, pages);
          for (let p = 0; p < pages; p++) this.put(p, bytes[p]);
        } else if (type === 2) {
          const words = d.getInt32(5);
          let at = 9;
          for (let w = 0; w < words; w++) {
            const base = d.getInt32(at) * 64, hi = d.getUint32(at + 4), lo = d.getUint32(at + 8);
            at += 12;
            for (let b = 0; b < 32; b++) if (lo & (1 << b)) this.put(base + b, d.getUint8(at++));
            for (let b = 0; b < 32; b++) if (hi & (1 << b)) this.put(base + 32 + b, d.getUint8(at++));
          }
        }
        const took = performance.now() - t0;
        this.applyMillis += took;
        this.maxApplyMillis = Math.max(this.maxApplyMillis, took);
        this.dirty = true;
      },
      draw() {
        if (!this.dirty || !image) return false;
        ctx.putImageData(image, 0, 0);
        if (this.pivot >= 0 && this.pivot < this.pages) {
          const x = this.pivot % canvas.width, y = Math.floor(this.pivot / canvas.width);
          ctx.fillStyle = "#000";
          ctx.fillRect(x - 3, y, 7, 1); ctx.fillRect(x, y - 3, 1, 7);
        }
        this.dirty = false;
        this.legend();
        return true;
      },
      legend() {
        const kinds = this.kindCounts(), rows = [], base = ORDER[this.role];
        const order = [base[0]].concat(Object.keys(kinds).filter(k => k.startsWith("precopy-round-")).sort(
          (a, b) => parseInt(a.slice(14)) - parseInt(b.slice(14))), base.slice(1));
        for (const k of order) {
          const state = stateOf(k), zero = this.counts[state | ZERO] || 0, all = kinds[k] || 0;
          const label = LABELS[k] || "sent in pre-copy round " + k.slice(14);
          rows.push('<li data-kind="' + k + '" data-count="' + all + '"><span class="swatch" style="background:' + css(state) +
            '"></span>' + (this.role === "source" ? '<span class="swatch" style="background:' + css(state | ZERO) + '"></span>' : "") +
            label + ": " + all.toLocaleString("en") + (zero ? " (zero " + zero.toLocaleString("en") + ")" : "") + "</li>");
        }
        if (this.role === "source") {
          rows.push("<li>pivot (last network fault): " + (this.pivot >= 0 ? "page " + this.pivot : "none") + "</li>");
        }
        document.getElementById(legendId).innerHTML = rows.join("");
      },
    };
    return panel;
  }
  const sourcePanel = mapPanel("sourceMap", "pageMap", "legend", "mapSize", "source");
  const destinationPanel = mapPanel("destinationMap", "destMap", "destLegend", "destSize", "destination");

  const view = window.liveView = {
    map: sourcePanel, ticks: 0, frames: 0, bytes: 0, messages: 0, migration: null, history: [], ended: null,
    closed: false, phase: "connecting", pivot: -1, startedAt: performance.now(), destination: null,
    get pages() { return this.map.pages; },
    get applyMillis() { return this.map.applyMillis; },
    get maxApplyMillis() { return this.map.maxApplyMillis; },
    kindCounts() { return this.map.kindCounts(); },
  };

  // The destination's map, its ticks and its faults' latency: from the page's own connection on a daemon's
  // view, or from a second connection to the view the source's hello names.
  function destinationOf(map) {
    return { map, ticks: 0, bytes: 0, history: [], lastCounters: null, latency: null, liveLatency: null,
      closed: false, kindCounts() { return this.map.kindCounts(); } };
  }

  function draw() {
    let drew = false;
    for (const panel of [sourcePanel, destinationPanel]) drew = panel.draw() || drew;
    if (drew) view.frames++; // frames the page drew, one or both maps in each
    requestAnimationFrame(draw);
  }
  requestAnimationFrame(draw);

  const NAMES = { source: [["remaining", "pages remaining"], ["rounds", "pre-copy rounds"], ["duplicate", "zero pages sent"],
    ["normal", "pages sent with data"], ["normalBytes", "data bytes"], ["resent", "resent pages"],
    ["postcopyRequests", "network faults served"], ["balloonedSkips", "ballooned, not sent"],
    ["dirtyPagesRate", "dirty pages/s"], ["cpuThrottle", "cpu throttle %"]],
    destination: [["remaining", "pages not yet received"], ["postcopyRequests", "network faults"]] };
  function counters(c, role) {
    const rows = NAMES[role].map(([k, label]) => "<tr><td>" + label + "</td><td>" + Math.round(c[k] || 0).toLocaleString("en") + "</td></tr>");
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
      if (m.role === "destination") {
        // A daemon's own view: its map is the destination's, and no step control reaches it.
        document.getElementById("sourceMap").hidden = true;
        view.map = destinationPanel;
        view.destination = view.destination || destinationOf(destinationPanel);
      } else if (m.peerView && !peer) {
        connectPeer(m.peerView);
      }
      view.map.hello(m);
    } else if (m.type === "tick") {
      view.ticks++;
      view.phase = m.phase;
      if (!view.migration && m.phase !== "guest running") {
        view.migration = { since: performance.now(), frames: view.frames, bytes: view.bytes };
      }
      view.pivot = view.map.pivot = m.pivot;
      document.getElementById("phase").textContent = m.phase;
      view.history.push({ at: m.atMillis, bulkBytes: m.bulkBytes, urgentBytes: m.urgentBytes, faults: m.faults,
        phase: m.phase, kinds: view.kindCounts() });
      if (view.history.length > 3000) view.history.shift();
      view.lastCounters = m.counters;
      counters(m.counters, view.map.role);
      stepping(m.stepping);
      drawTimeline();
      if (view.map.role === "destination") destinationTick(m);
      view.map.dirty = true;
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
      const live = view.destination && view.destination.latency;
      latency(m.faultLatencyMicros || {}, "the report's figures", live ? live.histogram : null);
    }
  }
  // One tick of the destination's view: its map's counts and its faults' latency so far, drawn live until
  // the source's report ends the migration with its own figures.
  function destinationTick(m) {
    const d = view.destination;
    d.ticks++;
    d.lastCounters = m.counters;
    d.history.push({ at: m.atMillis, faults: m.faults, phase: m.phase, kinds: d.kindCounts() });
    if (d.history.length > 3000) d.history.shift();
    document.getElementById("destPhase").textContent = m.phase;
    d.latency = m.latency;
    if (m.latency && !view.ended) {
      d.liveLatency = m.latency;
      const { count, histogram, ...micros } = m.latency;
      latency(micros, count.toLocaleString("en") + " network fault" + (count === 1 ? "" : "s") + " so far",
        histogram);
    }
    d.map.dirty = true;
  }
  // The histogram's upper bounds in µs (ViewMessage.Latency.HISTOGRAM_UP_TO_MICROS): 16, 32, … 65,536.
  const HISTOGRAM_UP_TO = Array.from({ length: 13 }, (_, i) => 16 * 2 ** i);
  function latency(l, caption, histogram) {
    const max = Math.max(1, ...Object.values(l)), el = document.getElementById("latency");
    el.innerHTML = Object.keys(l).length === 0 ? "no network faults" : '<div class="caption">' + caption + "</div>" +
      Object.entries(l).map(([k, v]) =>
      '<div class="row"><span class="label">' + k + " " + Math.round(v).toLocaleString("en") +
      '</span><span class="bar" style="width:' + Math.max(2, v / max * 260) + 'px"></span></div>').join("") +
      histogramRows(histogram);
  }
  // The faults by latency, from the first bucket that holds one to the last: one bar per power of two.
  function histogramRows(histogram) {
    if (!histogram) return "";
    const first = histogram.findIndex(n => n > 0), last = histogram.findLastIndex(n => n > 0);
    if (first < 0) return "";
    const most = Math.max(...histogram);
    let rows = '<div class="caption histogram">network faults by latency</div>';
    for (let i = first; i <= last; i++) {
      const label = i < HISTOGRAM_UP_TO.length ? "≤ " + HISTOGRAM_UP_TO[i].toLocaleString("en")
        : "> " + HISTOGRAM_UP_TO[HISTOGRAM_UP_TO.length - 1].toLocaleString("en");
      rows += '<div class="row bucket"><span class="label">' + label + " µs: " + histogram[i].toLocaleString("en") +
        '</span><span class="bar" style="width:' + (histogram[i] ? Math.max(2, histogram[i] / most * 260) : 0) +
        'px"></span></div>';
    }
    return rows;
  }

  // The source's page opens the destination's view too (its address came in the hello): a second map.
  let peer = null;
  function connectPeer(url) {
    view.destination = destinationOf(destinationPanel);
    peer = new WebSocket(url.replace(/^http:/, "ws:").replace(/\/?$/, "/live"));
    peer.binaryType = "arraybuffer";
    peer.onmessage = e => {
      const d = view.destination, size = typeof e.data === "string" ? e.data.length : e.data.byteLength;
      d.bytes += size; view.bytes += size;
      if (typeof e.data !== "string") { destinationPanel.apply(e.data); return; }
      const m = JSON.parse(e.data);
      if (m.type === "hello") destinationPanel.hello(m);
      else if (m.type === "tick") destinationTick(m);
    };
    peer.onclose = () => { view.destination.closed = true; };
  }

  function stats() {
    const s = (performance.now() - view.startedAt) / 1000;
    view.fps = view.frames / s; view.bytesPerSecond = view.bytes / s;
    document.getElementById("stats").textContent = "view: " + view.frames + " frames, " + view.fps.toFixed(1) +
      " frames/s, " + (view.bytesPerSecond / 1024).toFixed(1) + " KiB/s received, " +
      (view.ticks ? (view.applyMillis / view.ticks).toFixed(2) : "0") + " ms per update" +
      (view.destination && view.destination.ticks ? " (the destination's map: " +
      (view.destination.bytes / s / 1024).toFixed(1) + " KiB/s)" : "");
  }
  setInterval(stats, 1000);

  const ws = new WebSocket((location.protocol === "https:" ? "wss://" : "ws://") + location.host + "/live");
  ws.binaryType = "arraybuffer";
  ws.onopen = () => { document.getElementById("phase").textContent = "connected"; };
  ws.onmessage = e => {
    view.messages++;
    if (typeof e.data === "string") { view.bytes += e.data.length; onMessage(JSON.parse(e.data)); }
    else { view.bytes += e.data.byteLength; view.map.apply(e.data); }
  };
  ws.onclose = () => {
    view.closed = true;
    if (!view.ended) banner("The connection to the migration closed before it ended (the process exited?)", "closed");
    stats();
  };
})();
