/* timeline.js - a recorded trace to explore (the ```timeline fence).
 *
 * The figure (site/timeline.c) holds a static SVG and the walk-through's
 * steps as a list; that is what print and readers without JavaScript see.
 * Here it becomes a live view of the traces in window.GILWB_TRACES (or the
 * reader's own, from GILWB_MEASURED):
 *
 *   - settings: the policy and switch interval the run was recorded under,
 *     and whose run it is (the book's or the reader's own `make chapterN`);
 *   - a time cursor (a range input: arrows, Home/End, a drag or a finger on
 *     the plot) and a description of every lane at that instant;
 *   - previous/next event: every take, drop, forced drop, request and wait,
 *     described one at a time (also on hover);
 *   - the steps: each moves the cursor to its event, says what happens and
 *     lights the parts of the chapter's diagram it names.
 *
 * The trace format is Chrome Trace Event JSON as the runtime writes it
 * (rt_trace_write_chrome): "M" events name the lanes, "X" events are spans
 * ("holds GIL", "waits for GIL", or any other name), "i" events instants
 * ("drop request", "forced drop", ...).  Nothing here is specific to the
 * GIL but the wording of the known names, so event-loop and pool traces
 * draw the same way.  The plot is an SVG drawn at the figure's own pixel
 * size, so its labels are 13 px on a phone as on a desktop.
 */
(function () {
  "use strict";
  var SVGNS = "http://www.w3.org/2000/svg";
  var esc = window.GILWB ? window.GILWB.escapeHtml : function (s) { return String(s); };

  function ms(us) {
    var v = us / 1000;
    return (v < 10 ? v.toFixed(2) : v < 100 ? v.toFixed(1) : v.toFixed(0)) + " ms";
  }
  function el(tag, attrs, parent) {
    var e = document.createElementNS(SVGNS, tag);
    for (var k in attrs) e.setAttribute(k, attrs[k]);
    if (parent) parent.appendChild(e);
    return e;
  }
  function h(tag, cls, html) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (html !== undefined) e.innerHTML = html;
    return e;
  }
  function readableDate(iso) {
    var d = new Date(iso);
    return isNaN(d) ? iso : d.toLocaleString(undefined, {
      day: "numeric", month: "short", year: "numeric", hour: "2-digit", minute: "2-digit" });
  }
  function machineText(m, load) {
    if (!m) return "";
    var s = (m.cores ? m.cores + " cores" : "") + (m.cpu ? ", " + m.cpu : "");
    if (typeof load === "number" && load >= 0) s += ", load " + load.toFixed(2);
    return s;
  }

  // ------------------------------------------------------------ the model

  // A trace from Chrome JSON: lanes, spans, instants, and the discrete
  // events the reader steps through.
  function model(chrome, policy) {
    var names = {}, spans = [], instants = [], used = {};
    chrome.traceEvents.forEach(function (e) {
      if (e.ph === "M" && e.name === "thread_name") names[e.tid] = e.args && e.args.name;
      else if (e.ph === "X") { spans.push({ lane: e.tid, name: e.name, t0: e.ts, t1: e.ts + e.dur }); used[e.tid] = 1; }
      else if (e.ph === "i") { instants.push({ lane: e.tid, name: e.name, t: e.ts }); used[e.tid] = 1; }
    });
    var lanes = Object.keys(used).map(Number).sort(function (a, b) { return a - b; });
    var t0 = Infinity, t1 = -Infinity;
    spans.forEach(function (s) { t0 = Math.min(t0, s.t0); t1 = Math.max(t1, s.t1); });
    instants.forEach(function (i) { t0 = Math.min(t0, i.t); t1 = Math.max(t1, i.t); });
    if (!isFinite(t0)) { t0 = 0; t1 = 1; }
    var m = { names: names, lanes: lanes, spans: spans, instants: instants, t0: t0, t1: Math.max(t1, t0 + 1),
              policy: policy, events: [] };
    var forced = instants.filter(function (i) { return i.name === "forced drop"; });
    spans.forEach(function (s) {
      m.events.push({ t: s.t0, lane: s.lane, kind: "start:" + s.name, span: s });
      var f = forced.filter(function (i) { return i.lane === s.lane && Math.abs(i.t - s.t1) < 50; })[0];
      m.events.push({ t: s.t1, lane: s.lane, kind: f ? "forced drop" : "end:" + s.name, span: s, forced: !!f });
    });
    instants.forEach(function (i) {
      if (i.name !== "forced drop") m.events.push({ t: i.t, lane: i.lane, kind: i.name, instant: i });
    });
    m.events.sort(function (a, b) { return a.t - b.t; });
    return m;
  }
  function laneName(m, lane) { return m.names[lane] || "thread " + lane; }
  function isHold(s) { return /^holds\b/.test(s.name); }
  function isWait(s) { return /^waits\b/.test(s.name); }

  // What an event means, in words.
  function describe(m, e) {
    var who = laneName(m, e.lane), s = e.span, none = m.policy === "none";
    var dur = s ? ms(s.t1 - s.t0) : "";
    switch (e.kind) {
    case "start:holds GIL":
      if (none) return who + " starts running: with no GIL there is nothing to take";
      var w = m.spans.filter(function (x) { return x.lane === e.lane && isWait(x) && Math.abs(x.t1 - e.t) < 50; })[0];
      return who + " takes the GIL" + (w ? ", after waiting " + ms(w.t1 - w.t0) : "") + "; holds it for " + dur;
    case "end:holds GIL":
      return none ? who + " finishes (ran " + dur + ")" : who + " drops the GIL (held " + dur + ")";
    case "forced drop":
      return who + " drops the GIL because a waiter asked (a forced drop), after holding it " + dur;
    case "start:waits for GIL":
      return who + " asks for the GIL, finds it held and sleeps on the condition variable (waits " + dur + ")";
    case "end:waits for GIL":
      return who + " stops waiting";
    case "drop request":
      var ws = m.spans.filter(function (x) { return x.lane === e.lane && isWait(x) && x.t0 <= e.t && x.t1 >= e.t; })[0];
      return who + " has waited " + (ws ? ms(e.t - ws.t0) : "a switch interval") +
        ": it sets the drop request, asking the holder to let go";
    case "thread start": return who + " starts (a new OS thread)";
    case "thread exit": return who + " exits";
    default:
      var k = e.kind.replace(/^start:/, "starts: ").replace(/^end:/, "ends: ");
      return who + ": " + k + (s ? " (" + dur + ")" : "");
    }
  }

  // Each lane's state at time t.
  function stateAt(m, t) {
    return m.lanes.map(function (lane) {
      var s = m.spans.filter(function (x) { return x.lane === lane && x.t0 <= t && x.t1 > t; });
      var hold = s.filter(isHold)[0], wait = s.filter(isWait)[0], other = s[0];
      var who = laneName(m, lane);
      if (hold) return who + (m.policy === "none" ? " runs" : " holds the GIL") + " (for " + ms(t - hold.t0) + " so far)";
      if (wait) return who + " waits for the GIL (for " + ms(t - wait.t0) + " so far)";
      if (other) return who + ": " + other.name;
      return who + " is not running Python code";
    }).join("; ");
  }

  function summary(m) {
    var holds = m.spans.filter(isHold), forced = m.events.filter(function (e) { return e.forced; }).length;
    var switches = 0, last = null;
    holds.slice().sort(function (a, b) { return a.t0 - b.t0; }).forEach(function (s) {
      if (last !== null && s.lane !== last) switches++;
      last = s.lane;
    });
    var d = holds.map(function (s) { return s.t1 - s.t0; }).sort(function (a, b) { return a - b; });
    var med = d.length ? d[Math.floor(d.length / 2)] : 0;
    if (m.policy === "none") return "No GIL: " + m.lanes.length + " lanes, threads overlap in time.";
    return holds.length + " holds, " + switches + " hand-overs to another thread, " + forced +
      " forced drops; median hold " + ms(med) + ".";
  }

  // The legend of what this trace holds: its kinds of spans and instants.
  function legendHtml(m) {
    var seen = {}, out = "";
    m.spans.forEach(function (x) { if (!(m.policy === "none" && /^waits\b/.test(x.name))) seen["s:" + x.name] = x; });
    m.instants.forEach(function (x) { if (!/^thread /.test(x.name)) seen["i:" + x.name] = x; });
    var rank = function (k) { return /^s:holds/.test(k) ? 0 : /^s:waits/.test(k) ? 1 : k[0] === "s" ? 2 : 3; };
    Object.keys(seen).sort(function (a, b) { return rank(a) - rank(b); }).forEach(function (k) {
      var name = k.slice(2);
      if (k[0] === "s") {
        var hold = /^holds\b/.test(name), wait = /^waits\b/.test(name);
        out += '<span class="key" style="--c:var(' + (hold ? "--hold" : wait ? "--wait" : "--muted") + ')">' +
          esc(hold ? (m.policy === "none" ? "runs (no GIL to hold)" : "holds the GIL") : wait ? "waits for the GIL" : name) + "</span>";
      } else {
        out += '<span class="key ' + (name === "drop request" ? "tl-key-request" : name === "forced drop" ? "tl-key-forced" : "tl-key-other") +
          '">' + esc(name) + "</span>";
      }
    });
    return out;
  }

  // ------------------------------------------------------------ drawing

  function draw(view) {
    var m = view.m, box = view.plot, W = Math.max(280, box.clientWidth), narrow = W < 520;
    var LW = narrow ? 74 : 96, LANE = 30, TOP = 6, AX = 34, PW = W - LW - 10;
    var H = TOP + m.lanes.length * LANE + AX;
    var x = function (t) { return LW + (t - m.t0) / (m.t1 - m.t0) * PW; };
    view.x = x;
    view.tAt = function (px) { return m.t0 + Math.min(1, Math.max(0, (px - LW) / PW)) * (m.t1 - m.t0); };
    box.innerHTML = "";
    var svg = el("svg", { width: W, height: H, viewBox: "0 0 " + W + " " + H, "class": "tl-svg",
                          role: "img", "aria-label": "Timeline: " + m.lanes.map(function (l) { return laneName(m, l); }).join(", ") });
    var laneY = {};
    m.lanes.forEach(function (lane, i) {
      var y = TOP + i * LANE;
      laneY[lane] = y;
      el("rect", { x: LW, y: y + 3, width: PW, height: LANE - 6, "class": "tl-lane" }, svg);
      var t = el("text", { x: 4, y: y + LANE / 2 + 5, "class": "tl-label" }, svg);
      t.textContent = laneName(m, lane);
    });
    view.marks = [];
    m.spans.forEach(function (s) {
      var y = laneY[s.lane], hold = isHold(s);
      var r = el("rect", { x: x(s.t0), y: y + (hold ? 6 : 12), width: Math.max(1, x(s.t1) - x(s.t0)),
                           height: hold ? LANE - 12 : 6, "class": hold ? "tl-hold" : isWait(s) ? "tl-wait" : "tl-span" }, svg);
      s.node = r;
    });
    m.instants.forEach(function (i) {
      var y = laneY[i.lane], cx = x(i.t);
      if (i.name === "drop request")
        i.node = el("path", { d: "M" + (cx - 5) + " " + (y + 1) + "h10l-5 7z", "class": "tl-request" }, svg);
      else if (i.name === "forced drop")
        i.node = el("rect", { x: cx - 1.5, y: y + 2, width: 3, height: LANE - 4, "class": "tl-forced" }, svg);
      else if (!/^thread /.test(i.name))
        i.node = el("circle", { cx: cx, cy: y + LANE / 2, r: 3, "class": "tl-instant" }, svg);
    });
    // the axis, in milliseconds
    var ay = TOP + m.lanes.length * LANE + 4, span = (m.t1 - m.t0) / 1000;
    var target = narrow ? 4 : 8, raw = span / target, p = Math.pow(10, Math.floor(Math.log10(raw)));
    var step = raw <= p ? p : raw <= 2 * p ? 2 * p : raw <= 5 * p ? 5 * p : 10 * p;
    el("line", { x1: LW, y1: ay, x2: LW + PW, y2: ay, "class": "tl-axis" }, svg);
    for (var v = 0; v <= span + 1e-9; v += step) {
      var ax = LW + v / span * PW;
      el("line", { x1: ax, y1: ay, x2: ax, y2: ay + 4, "class": "tl-axis" }, svg);
      var lt = el("text", { x: ax, y: ay + 18, "text-anchor": "middle", "class": "tl-label" }, svg);
      lt.textContent = +v.toFixed(3);
    }
    var unit = el("text", { x: 4, y: ay + 18, "class": "tl-label" }, svg);
    unit.textContent = "ms";
    view.cursor = el("line", { x1: LW, y1: TOP, x2: LW, y2: ay, "class": "tl-cursor" }, svg);
    view.ring = el("rect", { x: 0, y: 0, width: 0, height: 0, "class": "tl-ring" }, svg);
    box.appendChild(svg);
    view.laneY = laneY;
    view.LANE = LANE;
  }

  // Rings the event e (a span end or start, or an instant) on the plot.
  function ring(view, e) {
    var r = view.ring;
    if (!e) { r.setAttribute("width", 0); return; }
    var y = view.laneY[e.lane], x0, x1;
    if (e.span && !/^end:|forced/.test(e.kind) && e.kind.indexOf("start:") === 0) { x0 = view.x(e.span.t0); x1 = view.x(e.span.t1); }
    else { x0 = view.x(e.t) - 6; x1 = view.x(e.t) + 6; }
    r.setAttribute("x", x0 - 2);
    r.setAttribute("y", y + 1);
    r.setAttribute("width", Math.max(8, x1 - x0 + 4));
    r.setAttribute("height", view.LANE - 2);
  }

  // ------------------------------------------------------------ one figure

  function setup(fig) {
    var key = fig.dataset.traces, data = (window.GILWB_TRACES || {})[key];
    if (!data || !data.traces || !data.traces.length) return;
    var name = key.replace(/^.*\//, "").replace(/\.json$/, "");
    var mine = window.GILWB_MEASURED && window.GILWB_MEASURED.chapters &&
      window.GILWB_MEASURED.chapters[fig.dataset.chapter];
    var sources = { book: { data: data, label: "The book's run" } };
    if (mine && mine.traces && mine.traces[name] && mine.traces[name].traces)
      sources.mine = { data: mine.traces[name], label: "Your run", when: mine.recorded, machine: mine.machine, load: mine.load1 };
    sources.book.when = data.recorded;
    sources.book.machine = data.machine;
    sources.book.load = data.load1;

    var live = h("div", "tl-live");
    var id = fig.id || "tl";
    var controls = h("div", "tl-controls");
    controls.setAttribute("role", "group");
    controls.setAttribute("aria-label", "Which run to show");
    function select(label, cls) {
      var l = h("label", "tl-field", "<span>" + label + "</span> ");
      var s = document.createElement("select");
      s.className = cls;
      s.id = id + "-" + cls;
      l.htmlFor = s.id;
      l.appendChild(s);
      controls.appendChild(l);
      return s;
    }
    var selPolicy = select("Policy", "tl-policy"), selInterval = select("Switch interval", "tl-interval");
    var selSource = select("Run", "tl-source");
    live.appendChild(controls);
    var about = h("p", "tl-about");
    live.appendChild(about);
    var legend = h("p", "legend tl-legend");
    live.appendChild(legend);
    var plot = h("div", "tl-plot");
    live.appendChild(plot);
    var row = h("div", "tl-cursor-row");
    var timeLabel = h("label", "tl-field", "<span>Time</span> ");
    var range = document.createElement("input");
    range.type = "range";
    range.className = "tl-time";
    range.id = id + "-time";
    timeLabel.htmlFor = range.id;
    timeLabel.appendChild(range);
    var prev = h("button", "tl-prev", "&larr; Previous event"), next = h("button", "tl-next", "Next event &rarr;");
    prev.type = next.type = "button";
    row.appendChild(timeLabel);
    row.appendChild(prev);
    row.appendChild(next);
    live.appendChild(row);
    live.appendChild(h("p", "tl-hint meta", "Drag across the plot, or use the slider (arrow keys, Home, End); " +
      "<em>Next event</em> goes from one take, drop, request or wait to the next."));
    var detail = h("p", "tl-detail");
    detail.setAttribute("aria-live", "polite");
    live.appendChild(detail);

    // the walk-through
    var steps = Array.prototype.slice.call(fig.querySelectorAll(".tl-steps li")).map(function (li) {
      return { event: li.dataset.event, parts: (li.dataset.parts || "").split(/\s+/).filter(Boolean), html: li.innerHTML };
    });
    var stepper = null, stepText = null, stepBtn = null, backBtn = null, mini = null, stepAt = -1;
    var diagram = null;
    if (fig.dataset.diagram) {
      document.querySelectorAll(".diagram svg").forEach(function (svg) {
        var t = svg.querySelector("g.graph > title");
        if (t && t.textContent.trim() === fig.dataset.diagram) diagram = svg;
      });
    }
    if (steps.length) {
      stepper = h("div", "tl-stepper");
      var btns = h("div", "tl-step-buttons");
      backBtn = h("button", "tl-back", "&larr; Back");
      stepBtn = h("button", "tl-step", "Step through a hand-over &rarr;");
      backBtn.type = stepBtn.type = "button";
      backBtn.disabled = true;
      btns.appendChild(backBtn);
      btns.appendChild(stepBtn);
      stepper.appendChild(btns);
      stepText = h("div", "tl-step-text");
      stepText.setAttribute("aria-live", "polite");
      stepper.appendChild(stepText);
      if (diagram) {
        // a copy of the diagram beside the steps (the original is sections
        // away); it keeps the original's minimum width, so its labels stay
        // readable and it scrolls on a phone
        mini = h("div", "tl-diagram diagram");
        var scroller = h("div", "fig-scroll");
        var copy = diagram.cloneNode(true);
        copy.querySelectorAll("[id]").forEach(function (n) { n.removeAttribute("id"); });
        copy.setAttribute("aria-hidden", "true");
        scroller.appendChild(copy);
        mini.appendChild(scroller);
        mini.hidden = true;
        stepper.appendChild(mini);
      }
      live.appendChild(stepper);
    }
    fig.insertBefore(live, fig.querySelector("figcaption"));
    fig.classList.add("is-live");

    var view = { plot: plot, m: null, t: 0, active: null };

    function traces() { return sources[selSource.value || "book"].data.traces; }
    function fillPolicies() {
      var seen = {};
      selPolicy.innerHTML = "";
      traces().forEach(function (t) {
        if (seen[t.policy]) return;
        seen[t.policy] = 1;
        selPolicy.appendChild(new Option(t.policy === "none" ? "none (no GIL)" : t.policy, t.policy));
      });
    }
    function fillIntervals(keep) {
      var list = traces().filter(function (t) { return t.policy === selPolicy.value; });
      selInterval.innerHTML = "";
      var has = list.some(function (t) { return t.interval_ms !== null; });
      if (!has) {
        selInterval.appendChild(new Option(selPolicy.value === "none" ? "no GIL, no interval"
          : "not used by " + selPolicy.value, ""));
        selInterval.disabled = true;
        return;
      }
      selInterval.disabled = false;
      list.forEach(function (t) { selInterval.appendChild(new Option(t.interval_ms + " ms", String(t.interval_ms))); });
      selInterval.value = keep && list.some(function (t) { return String(t.interval_ms) === keep; }) ? keep
        : list.some(function (t) { return t.interval_ms === 5; }) ? "5" : String(list[0].interval_ms);
    }
    function current() {
      var list = traces().filter(function (t) { return t.policy === selPolicy.value; });
      return list.filter(function (t) { return String(t.interval_ms) === selInterval.value; })[0] || list[0];
    }

    Object.keys(sources).forEach(function (k) {
      var s = sources[k];
      selSource.appendChild(new Option(s.label + (s.when ? " (" + readableDate(s.when) + ")" : ""), k));
    });
    if (!sources.mine) {
      selSource.disabled = true;
      selSource.title = "Run make chapter" + Number(fig.dataset.chapter) + " to record your own";
    }

    function load() {
      var t = current(), src = sources[selSource.value || "book"];
      view.m = model(t.trace, t.policy);
      var setting = t.policy === "cpython" ? "cpython policy, switch interval " + t.interval_ms + " ms"
        : t.policy === "ticks" ? "ticks policy (before Python 3.2): the holder drops the GIL every " +
          (t.ticks || 100).toLocaleString() + " checkpoints and competes to take it straight back; no interval, no request"
        : t.policy === "none" ? "no GIL: the threads run at once, each on its own core when one is free"
        : t.policy + " policy";
      about.innerHTML = esc(setting) + ". " + (t.work_ms ? "Two threads, " + t.work_ms + " ms of work each. " : "") +
        esc(summary(view.m)) + (src.when ? '<br><span class="meta">' + esc(src.label) + ", recorded " +
        esc(readableDate(src.when)) + (src.machine ? " on " + esc(machineText(src.machine, src.load)) : "") +
        ".</span>" : "") + (sources.mine ? "" : '<br><span class="meta">Run <code>make chapter' +
        Number(fig.dataset.chapter) + "</code> to see your own machine's run here.</span>");
      legend.innerHTML = legendHtml(view.m);
      draw(view);
      range.min = 0;
      range.max = Math.round(view.m.t1 - view.m.t0);
      range.step = Math.max(1, Math.round((view.m.t1 - view.m.t0) / 1000));
      endSteps();
      moveTo(view.m.t0 + (view.m.t1 - view.m.t0) * 0.4, null);
    }

    // Moves the cursor to t; describes e (an event) if given, else the
    // event nearest the cursor within a few pixels.
    function moveTo(t, e, quiet) {
      var m = view.m;
      view.t = Math.min(m.t1, Math.max(m.t0, t));
      range.value = Math.round(view.t - m.t0);
      var x = view.x(view.t);
      view.cursor.setAttribute("x1", x);
      view.cursor.setAttribute("x2", x);
      if (!e) {
        var near = (m.t1 - m.t0) / 120;
        m.events.forEach(function (ev) { if (Math.abs(ev.t - view.t) < near && (!e || Math.abs(ev.t - view.t) < Math.abs(e.t - view.t))) e = ev; });
      }
      view.active = e;
      ring(view, e);
      var text = "At " + ms(view.t - m.t0) + ": " + stateAt(m, view.t) + ".";
      if (e) text += " Event at " + ms(e.t - m.t0) + ": " + describe(m, e) + ".";
      range.setAttribute("aria-valuetext", ms(view.t - m.t0) + (e ? ", " + describe(m, e) : ""));
      if (!quiet) detail.textContent = text;
    }
    function jump(dir) {
      var m = view.m, list = m.events, e = null;
      var cur = view.active ? view.active.t : view.t;
      if (dir > 0) { for (var i = 0; i < list.length && !e; i++) if (list[i].t > cur + 0.5) e = list[i]; }
      else { for (var j = list.length - 1; j >= 0 && !e; j--) if (list[j].t < cur - 0.5) e = list[j]; }
      if (e) moveTo(e.t, e);
    }

    function light(parts) {
      [diagram, mini && mini.querySelector("svg")].forEach(function (svg) {
        if (!svg) return;
        svg.querySelectorAll("g.lit").forEach(function (g) { g.classList.remove("lit"); });
        svg.querySelectorAll("g.node, g.edge").forEach(function (g) {
          var t = g.querySelector("title");
          if (t && parts.indexOf(t.textContent.trim()) >= 0) g.classList.add("lit");
        });
      });
    }
    function findStep(k, after) {
      var want = steps[k].event;
      return view.m.events.filter(function (e) { return e.kind === want && e.t > after; })[0] || null;
    }
    var found = [];
    function showStep(k) {
      if (k < 0) return endSteps();
      var after = k === 0 ? startTime() : found[k - 1] ? found[k - 1].t - 0.01 : -Infinity;
      var e = findStep(k, after);
      found[k] = e;
      stepAt = k;
      if (e) moveTo(e.t, e);
      stepText.innerHTML = '<p class="tl-step-n">Step ' + (k + 1) + " of " + steps.length + "</p><p>" + steps[k].html +
        "</p>" + (e ? "" : '<p class="meta">This event (' + esc(steps[k].event) + ") does not happen in this run: try the cpython policy.</p>");
      light(steps[k].parts);
      if (mini) {
        mini.hidden = false;
        if (window.GILWB.markScrolling) window.GILWB.markScrolling();
      }
      backBtn.disabled = false;
      stepBtn.innerHTML = k + 1 < steps.length ? "Next step &rarr;" : "Done";
    }
    function startTime() {
      var from = fig.dataset.from, e = from && view.m.events.filter(function (x) { return x.kind === from; })[0];
      return e ? e.t : -Infinity;
    }
    function endSteps() {
      if (!stepper) return;
      stepAt = -1;
      found = [];
      stepText.innerHTML = "";
      light([]);
      if (mini) mini.hidden = true;
      backBtn.disabled = true;
      stepBtn.innerHTML = "Step through a hand-over &rarr;";
    }

    fillPolicies();
    selPolicy.value = selPolicy.querySelector('option[value="cpython"]') ? "cpython" : selPolicy.options[0].value;
    fillIntervals("5");
    selPolicy.addEventListener("change", function () { fillIntervals(selInterval.value); load(); });
    selInterval.addEventListener("change", load);
    selSource.addEventListener("change", function () {
      var p = selPolicy.value, i = selInterval.value;
      fillPolicies();
      if (selPolicy.querySelector('option[value="' + p + '"]')) selPolicy.value = p;
      fillIntervals(i);
      load();
    });
    range.addEventListener("input", function () { moveTo(view.m.t0 + Number(range.value), null); });
    prev.addEventListener("click", function () { jump(-1); });
    next.addEventListener("click", function () { jump(1); });
    if (stepper) {
      stepBtn.addEventListener("click", function () {
        if (stepAt + 1 >= steps.length) endSteps(); else showStep(stepAt + 1);
      });
      backBtn.addEventListener("click", function () { showStep(stepAt - 1); });
    }
    // pointer: hover describes, a press or a finger drags the cursor
    var dragging = false;
    function pointerT(ev) {
      var r = plot.getBoundingClientRect();
      return view.tAt(ev.clientX - r.left);
    }
    plot.addEventListener("pointermove", function (ev) {
      if (dragging || ev.pointerType === "mouse") moveTo(pointerT(ev), null);
    });
    plot.addEventListener("pointerdown", function (ev) {
      dragging = true;
      plot.setPointerCapture(ev.pointerId);
      moveTo(pointerT(ev), null);
    });
    plot.addEventListener("pointerup", function () { dragging = false; });
    plot.addEventListener("pointercancel", function () { dragging = false; });
    var rt;
    window.addEventListener("resize", function () {
      clearTimeout(rt);
      rt = setTimeout(function () { var t = view.t, a = view.active; draw(view); moveTo(t, a, true); }, 150);
    });
    load();
  }

  document.querySelectorAll("figure.timeline").forEach(setup);
  if (window.GILWB && window.GILWB.markScrolling) window.GILWB.markScrolling();
})();
