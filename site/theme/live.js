/* live.js - the reader's own data on the book's pages.
 *
 *   window.GILWB_PROGRESS  (data/progress.js, written by the grader after
 *                          each `grader submit` and `grader quiz`)
 *       ticks in the sidebar, the progress bar and states on the index,
 *       the exercise's state and the quiz score on its chapter
 *   window.GILWB_MEASURED  (data/measured.js, written by `make chapterN`
 *                          and `make bench`)
 *       the reader's demo runs beside a chapter's result table, and the
 *       benchmarks page
 *
 * Both files are reloaded with the page, so progress moves with no rebuild
 * of the site.  What the build wrote into the page (the gradebook as it was
 * then) stays when a file is empty.
 */
(function () {
  "use strict";
  var esc = window.GILWB.escapeHtml;
  var P = window.GILWB_PROGRESS, M = window.GILWB_MEASURED;

  function two(n) { return (n < 10 ? "0" : "") + n; }
  function readable(iso) {
    var d = new Date(iso);
    if (!iso || isNaN(d)) return iso || "";
    var s = d.toLocaleString(undefined, { day: "numeric", month: "short", year: "numeric",
                                          hour: "2-digit", minute: "2-digit" });
    var mins = Math.round((Date.now() - d) / 60000);
    var ago = mins < 1 ? "just now" : mins < 60 ? mins + " min ago" : mins < 48 * 60
      ? Math.round(mins / 60) + " h ago" : Math.round(mins / 1440) + " days ago";
    return s + " (" + ago + ")";
  }
  function machine(m, load) {
    if (!m) return "";
    var s = m.cores + " core" + (m.cores === 1 ? "" : "s") + (m.cpu ? ", " + m.cpu : "");
    if (typeof load === "number" && load >= 0) s += ", load " + load.toFixed(2);
    return s;
  }
  function busy(m, load) {
    return m && typeof load === "number" && load > 0.5 * m.cores;
  }
  function fmt(v) {
    return v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v >= 1 ? v.toFixed(2) : v.toPrecision(2);
  }

  // ------------------------------------------------------------ progress

  function exState(e) {
    if (!e || !e.attempts) return null;
    return (e.passed ? "passed" : "tried");
  }
  function quizText(q) {
    return q && q.answered ? "quiz " + q.right + "/" + q.questions : null;
  }

  function showProgress() {
    var ex = P.exercises || {}, qz = P.quizzes || {};
    // sidebar ticks
    document.querySelectorAll(".sidebar .chapters > li").forEach(function (li) {
      var num = li.querySelector(".num"), n = num && two(Number(num.textContent));
      var e = ex[n], st = exState(e), a = li.querySelector("a");
      if (!st || !a) return;
      var t = document.createElement("span");
      t.className = "tick " + st;
      t.textContent = st === "passed" ? "\u2713" : "\u2026";
      t.title = "Exercise " + n + (st === "passed" ? " passed" : " tried, not passed yet") +
        " (best " + e.best + "/" + e.max + ")";
      t.setAttribute("aria-label", t.title);
      t.setAttribute("role", "img");
      a.appendChild(t);
    });
    // the index: a bar and each chapter's states
    var box = document.getElementById("progress");
    if (box) {
      var lis = document.querySelectorAll(".contents li[data-chapter]"), total = 0, done = 0;
      var qRight = 0, qAll = 0;
      lis.forEach(function (li) {
        var n = li.dataset.chapter, e = ex[n], q = qz[n];
        var old = li.querySelectorAll(".state");
        var coming = old.length && old[0].classList.contains("none");
        if (!coming) total++;
        if (e && e.passed) done++;
        if (q && q.answered) { qRight += q.right; qAll += q.questions; }
        if (coming) return;
        old.forEach(function (s) { s.remove(); });
        var st = exState(e), s = document.createElement("span");
        s.className = "state " + (st || "todo");
        s.innerHTML = st ? (st === "passed" ? "passed" : e.attempts + " attempt" + (e.attempts === 1 ? "" : "s")) +
          " (" + e.best + "/" + e.max + ")" + ' <span class="when">' + esc(readable(e.last)) + "</span>"
          : "exercise " + n + " to do";
        li.appendChild(s);
        var qt = quizText(q);
        if (qt) {
          var qs = document.createElement("span");
          qs.className = "state " + (q.right === q.questions ? "passed" : "tried");
          qs.textContent = qt;
          qs.title = "answered " + readable(q.at);
          li.appendChild(qs);
        }
      });
      var pct = total ? Math.round(100 * done / total) : 0;
      box.innerHTML = "<p>Your progress: <strong>" + done + " of " + total + "</strong> exercises passed" +
        (qAll ? ", quizzes " + qRight + " of " + qAll + " right" : "") +
        '.</p><div class="progress-bar" role="progressbar" aria-label="Exercises passed" aria-valuemin="0" aria-valuemax="' +
        total + '" aria-valuenow="' + done + '"><span style="width:' + pct + '%"></span></div>' +
        '<p class="meta">Updated ' + esc(readable(P.written)) + " by the grader.</p>";
      box.hidden = false;
      var note = document.querySelector(".index .note");
      if (note && /Progress/.test(note.textContent)) note.remove();
    }
    // the chapter's exercise panel
    var panel = document.getElementById("exercise");
    var cur = document.querySelector(".sidebar .current .num");
    if (panel && cur) {
      var n = two(Number(cur.textContent)), e = ex[n], q = qz[n];
      var p = panel.querySelector(".ex-state");
      if (e && e.attempts) {
        if (!p) {
          p = document.createElement("p");
          panel.querySelector("h2").after(p);
        }
        p.className = "ex-state " + (e.passed ? "passed" : "tried");
        p.textContent = (e.passed ? "Passed" : "Not passed yet") + ": best score " + e.best + " / " + e.max +
          " after " + e.attempts + " attempt" + (e.attempts === 1 ? "" : "s") + " (last " + readable(e.last) + ")." +
          (quizText(q) ? " Quiz: " + q.right + " of " + q.questions + " right." : "");
      }
    }
  }
  if (P && typeof P === "object") showProgress();

  // ------------------------------------------------------------ a chapter's figures

  function median(a) {
    var s = a.slice().sort(function (x, y) { return x - y; });
    return s[Math.floor(s.length / 2)];
  }
  // The demo's runs ({policy, threads, wall_ns, stats}) as the rows of its
  // table.  A run names its row ("label") and the row its speedup is taken
  // against ("base"); chapter 3's runs name neither, and their rows are
  // "main thread alone", "GIL, 2 threads", "no GIL, 4 threads".
  function demoRows(runs) {
    var groups = {}, order = [], baseOf = {};
    runs.forEach(function (r) {
      if (r.kind && r.kind !== "run") return;
      var label = r.label || (!r.threads ? "main thread alone" : (r.policy === "none" ? "no GIL" : r.policy === "cpython" ? "GIL" : r.policy) + ", " + r.threads + " threads");
      if (!groups[label]) { groups[label] = []; order.push(label); }
      groups[label].push(r);
      baseOf[label] = r.base || "main thread alone";
    });
    function medianWall(label) {
      return groups[label] ? median(groups[label].map(function (r) { return r.wall_ns; })) : null;
    }
    return order.map(function (label) {
      var g = groups[label], wall = medianWall(label), base = medianWall(baseOf[label]);
      var med = g.filter(function (r) { return r.wall_ns === wall; })[0];
      return { label: label, wall_ms: wall / 1e6, speedup: base ? base / wall : null,
               at_once: med.stats && med.threads ? med.stats.max_running : null,
               forced: med.stats ? med.stats.forced_drops : null,
               reps: g.length };
    });
  }
  // "0.98x (0.90-1.04)": the figure it opens with (the median), or null.
  function num(s) { var v = parseFloat(String(s).trim()); return isNaN(v) ? null : v; }

  // The index, in a body row's cells, of the column headed `name` (or
  // "name (something)", such as "speedup (spread)"), or -1.  The head may
  // have several rows with cells that span columns or rows, so each cell's
  // place is worked out as a browser lays the grid out.
  function compareColumn(thead, name) {
    var taken = [], found = -1;
    if (!thead || !name) return -1;
    Array.prototype.forEach.call(thead.rows, function (tr, r) {
      var c = 0;
      taken[r] = taken[r] || [];
      Array.prototype.forEach.call(tr.cells, function (th) {
        while (taken[r][c]) c++;
        var t = th.textContent.trim();
        if (found < 0 && th.colSpan === 1 && (t === name || t.indexOf(name + " (") === 0)) found = c;
        for (var dr = 0; dr < Math.max(1, th.rowSpan); dr++) {
          taken[r + dr] = taken[r + dr] || [];
          for (var dc = 0; dc < th.colSpan; dc++) taken[r + dr][c + dc] = true;
        }
        c += th.colSpan;
      });
    });
    return found;
  }

  function bar(cls, v, max, text) {
    return '<div class="b ' + cls + '"><span class="fill" style="width:' + Math.max(0.5, 100 * v / max).toFixed(1) +
      '%"></span><span class="val">' + esc(text) + "</span></div>";
  }

  // The `make bench` rows a result table names (data-bench): the runtime
  // beside CPython, as measured on the reader's machine.
  function benchBeside(fig) {
    var names = (fig.dataset.bench || "").split(",").filter(Boolean);
    if (!names.length) return "";
    var rows = (M && M.bench && M.bench.rows || []).filter(function (r) { return names.indexOf(r.name) >= 0; });
    if (!rows.length)
      return "<h3>The runtime beside CPython</h3><p>Run <code>make bench</code> and reload: it measures " +
        esc(names.join(", ")) + " with the runtime and with CPython, on your machine.</p>";
    var html = "<h3>The runtime beside CPython, on your machine</h3>";
    rows.forEach(function (r) {
      var max = Math.max(r.ours || 0, r.cpython || 0) * 1.15 || 1, u = r.unit === "x" ? "x" : " " + (r.unit || "");
      html += '<p class="meta"><code>' + esc(r.name) + "</code>" + (r.note ? ": " + esc(r.note) : "") + "</p>" +
        '<div class="chart" role="img" aria-label="' + esc(r.name + ": runtime " + fmt(r.ours) + u +
        (r.cpython !== null ? ", CPython " + fmt(r.cpython) + u : "")) + '"><div class="label">' + esc(r.name) +
        '</div><div class="bars">' + (typeof r.ours === "number" ? bar("book", r.ours, max, fmt(r.ours) + u + " the runtime") : "") +
        (typeof r.cpython === "number" ? bar("cpython", r.cpython, max, fmt(r.cpython) + u + " CPython") : "") + "</div></div>";
    });
    return html + '<p class="meta">Measured by <code>make bench</code>, ' + esc(readable(M.bench.recorded)) + ".</p>";
  }

  function showMine(fig) {
    var n = fig.dataset.chapter, cmp = fig.dataset.compare, mine = M && M.chapters && M.chapters[n];
    var box = document.createElement("section");
    box.className = "mine";
    box.setAttribute("aria-label", "Your machine beside the book's");
    var col = compareColumn(fig.querySelector("thead"), cmp);
    var book = Array.prototype.map.call(fig.querySelectorAll("tbody tr"), function (tr) {
      var cells = tr.children;
      return { label: cells[0].textContent.trim(), v: col >= 0 && cells[col] ? num(cells[col].textContent) : null };
    });
    if (!mine || !mine.runs || !mine.runs.length) {
      box.innerHTML = "<h3>Your machine</h3><p>Run <code>make chapter" + Number(n) +
        "</code> and reload: your own " + esc(cmp) + " figures appear here, beside the book's.</p>" + benchBeside(fig);
      fig.after(box);
      return;
    }
    var rows = demoRows(mine.runs), byLabel = {};
    rows.forEach(function (r) { byLabel[r.label] = r; });
    var max = 0;
    book.forEach(function (b) { if (b.v) max = Math.max(max, b.v); });
    rows.forEach(function (r) { if (r.speedup) max = Math.max(max, r.speedup); });
    max = Math.max(max, 1) * 1.1;
    var chart = "";
    book.forEach(function (b) {
      var r = byLabel[b.label];
      chart += '<div class="label">' + esc(b.label) + '</div><div class="bars">' +
        (b.v !== null ? bar("book", b.v, max, fmt(b.v) + "x book") : "") +
        (r && r.speedup ? bar("yours", r.speedup, max, fmt(r.speedup) + "x yours" +
          (r.at_once ? ", " + r.at_once + " at once" : "")) : '<div class="b"><span class="val meta">not in your run</span></div>') +
        "</div>";
    });
    box.innerHTML = "<h3>Your machine beside the book's</h3>" +
      '<p class="legend"><span class="key" style="--c:var(--hold)">the book\'s run (the table above)</span>' +
      '<span class="key" style="--c:var(--mine)">yours</span></p>' +
      '<div class="chart" role="img" aria-label="' + esc(cmp) + ": " + book.map(function (b) {
        var r = byLabel[b.label];
        return b.label + " book " + fmt(b.v || 0) + "x" + (r && r.speedup ? ", yours " + fmt(r.speedup) + "x" : "");
      }).join("; ") + '">' + chart + "</div>" +
      '<p class="meta">Yours: <code>make chapter' + Number(n) + "</code>, " + esc(readable(mine.recorded)) +
      ", median of " + (rows[0] ? rows[0].reps : 0) + (rows[0] && rows[0].reps === 1 ? " run" : " runs") + ", on " + esc(machine(mine.machine, mine.load1)) + ".</p>" +
      (busy(mine.machine, mine.load1) ? '<p class="meta">Your machine was busy when you ran it (load ' +
        mine.load1.toFixed(2) + " on " + mine.machine.cores + " cores): the runs that need a free core scale less.</p>" : "") +
      benchBeside(fig);
    fig.after(box);
  }
  document.querySelectorAll("figure.results[data-compare]").forEach(showMine);

  // ------------------------------------------------------------ benchmarks page

  function showBench(root) {
    var b = M && M.bench;
    if (!b || !b.rows) return;
    var rows = b.rows, mrow = {};
    rows.forEach(function (r) { if (/^machine\./.test(r.name)) mrow[r.name] = r.ours; });
    var cores = mrow["machine.cores"], load = mrow["machine.load1"];
    var html = '<p class="meta">Measured ' + esc(readable(b.recorded)) + (cores ? " on " + cores + " cores" : "") +
      (typeof load === "number" && load >= 0 ? ", load " + load.toFixed(2) + " (the 1-minute average when make bench started)" : "") +
      ".</p>";
    if (cores && load > 0.5 * cores)
      html += '<p class="note">The machine was busy: figures that need a free core (speedups) read low, and every figure is noisier than on an idle machine.</p>';
    html += '<p class="legend"><span class="key" style="--c:var(--hold)">the runtime</span>' +
      '<span class="key" style="--c:var(--wait)">CPython</span><span class="key" style="--c:var(--muted)">libuv</span></p>';
    var groups = {}, order = [];
    rows.forEach(function (r) {
      if (/^machine\./.test(r.name)) return;
      var u = r.unit || "count";
      if (!groups[u]) { groups[u] = []; order.push(u); }
      groups[u].push(r);
    });
    order.forEach(function (u) {
      var g = groups[u], vals = [];
      g.forEach(function (r) { ["ours", "cpython", "libuv"].forEach(function (k) { if (r[k] > 0) vals.push(r[k]); }); });
      if (!vals.length) return;
      // whole decades, with room below the smallest bar so that it shows
      var min = Math.min.apply(null, vals), lo = Math.pow(10, Math.floor(Math.log10(min)));
      if (min / lo < 1.5) lo /= 10;
      var hi = Math.pow(10, Math.ceil(Math.log10(Math.max.apply(null, vals))));
      var span = Math.log10(hi) - Math.log10(lo);
      var pos = function (v) { return (Math.log10(v) - Math.log10(lo)) / span * 100; };
      var higher = /^(x|GB\/s|MB\/s|\/s|ops\/s)$/.test(u);
      html += '<section class="bench-group"><h2 id="unit-' + esc(u.replace(/\W+/g, "-")) + '">In ' + esc(u) +
        ' <span class="meta">(' + (higher ? "higher" : "lower") + " is better)</span></h2>";
      g.forEach(function (r) {
        var bars = "", aria = [];
        [["ours", "the runtime", "book"], ["cpython", "CPython", "cpython"], ["libuv", "libuv", "libuv"]].forEach(function (k) {
          var v = r[k[0]];
          if (typeof v !== "number") return;
          aria.push(k[1] + " " + fmt(v) + " " + u);
          bars += '<div class="label">' + k[1] + '</div><div class="bars">' + (v > 0
            ? '<div class="b ' + k[2] + '"><span class="fill" style="width:' + Math.max(0.5, pos(v)).toFixed(1) +
              '%"></span><span class="val">' + fmt(v) + " " + esc(r.unit || "") + "</span></div>"
            : '<div class="b"><span class="val">' + fmt(v) + "</span></div>") + "</div>";
        });
        var words = [];
        if (r.note) words.push(r.note.replace(/\.$/, ""));
        if (r.target) words.push("target: " + r.target);
        if (r.ours > 0 && r.cpython > 0) words.push("CPython / runtime = " + fmt(r.cpython / r.ours) + "x");
        html += '<div class="bench-row"><div class="name">' + esc(r.name) + "</div>" +
          (words.length ? '<p class="note">' + esc(words.join("; ")) + ".</p>" : "") +
          '<div class="chart" role="img" aria-label="' + esc(r.name + ": " + aria.join(", ")) + '">' + bars + "</div></div>";
      });
      var ticks = "";
      for (var v = lo; v <= hi * 1.0001; v *= 10) ticks += "<span>" + (+v.toPrecision(3)) + "</span>";
      html += '<div class="axis" aria-hidden="true">' + ticks + "</div></section>";
    });
    root.innerHTML = html;
  }
  var benchRoot = document.getElementById("bench");
  if (benchRoot) showBench(benchRoot);
  if (window.GILWB.markScrolling) window.GILWB.markScrolling();
})();
