/* book.js - the book's interactive parts: quizzes, search, keys, the menu,
 * the colour theme, copy buttons, scrolling blocks and the sidebar that
 * follows the reader.
 *
 * No framework and no network: everything the page needs is in the page or
 * in scripts beside it (search-index.js, data/*.js), loaded by <script> tags
 * because browsers refuse fetch() on file:// pages.  Answers are kept in
 * localStorage under "gilwb:quiz:KEY" and the theme under "gilwb:theme";
 * if storage is refused, both still work for the visit.  live.js (the
 * reader's progress and figures) and timeline.js (traces) build on this.
 *
 * A student edition's quizzes are sealed (course/quizseal.h): a question
 * carries data-answer-key "hmac-sha256:SALT:MAC" instead of its letter, and
 * its explanation sealed.  An answer is right when HMAC-SHA256(SALT, "N:L")
 * equals MAC; then the explanation is unsealed with the same letter.  The
 * browser's WebCrypto does the hashing where the page is a secure context
 * (https, localhost and, in Chromium and Firefox, file://); elsewhere a
 * small SHA-256 below does.  A deterrent against reading the key in the
 * page source, not secrecy: any reader can try every choice.
 */
(function () {
  "use strict";

  function store(key, value) {
    try {
      if (value === null) localStorage.removeItem("gilwb:" + key);
      else localStorage.setItem("gilwb:" + key, value);
    } catch (e) { /* private mode: the page still works */ }
  }
  function recall(key) {
    try { return localStorage.getItem("gilwb:" + key); } catch (e) { return null; }
  }
  function escapeHtml(s) {
    return String(s).replace(/[&<>"]/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" }[c];
    });
  }
  window.GILWB = { store: store, recall: recall, escapeHtml: escapeHtml };

  // ------------------------------------------------------------ theme

  // "auto" follows the system (color-scheme: light dark); "light" and
  // "dark" pin it.  The page's <head> applies the saved choice before the
  // first paint; this button changes it.
  var THEMES = ["auto", "light", "dark"];
  var THEME_TEXT = { auto: "\u25d0 Auto", light: "\u2600 Light", dark: "\u263e Dark" };
  var themeButton = document.querySelector(".theme");
  function applyTheme(t) {
    if (t === "auto") delete document.documentElement.dataset.theme;
    else document.documentElement.dataset.theme = t;
    if (!themeButton) return;
    var next = THEMES[(THEMES.indexOf(t) + 1) % 3];
    themeButton.innerHTML = THEME_TEXT[t].replace(" ", ' <span class="label">') + "</span>";
    themeButton.setAttribute("aria-label", "Colours: " + (t === "auto"
      ? "automatic, as your system" : t) + ". Switch to " + (next === "auto" ? "automatic" : next));
    themeButton.title = themeButton.getAttribute("aria-label");
  }
  if (themeButton) {
    themeButton.hidden = false;
    applyTheme(THEMES.indexOf(recall("theme")) > 0 ? recall("theme") : "auto");
    themeButton.addEventListener("click", function () {
      var cur = document.documentElement.dataset.theme || "auto";
      var t = THEMES[(THEMES.indexOf(cur) + 1) % 3];
      store("theme", t === "auto" ? null : t);
      applyTheme(t);
    });
  }

  // ---------------------------------------------------------- sealed keys

  function hexBytes(hex) {
    var b = new Uint8Array(hex.length / 2);
    for (var i = 0; i < b.length; i++) b[i] = parseInt(hex.substr(2 * i, 2), 16);
    return b;
  }
  function bytesHex(b) {
    var s = "";
    for (var i = 0; i < b.length; i++) s += (b[i] < 16 ? "0" : "") + b[i].toString(16);
    return s;
  }
  function utf8(s) { return new TextEncoder().encode(s); }
  function concat(a, b) {
    var r = new Uint8Array(a.length + b.length);
    r.set(a, 0); r.set(b, a.length);
    return r;
  }

  // SHA-256 (FIPS 180-4) for pages that are not a secure context.
  var K = [];
  (function () {
    var n = 2, found = 0;
    while (found < 64) {
      var prime = true;
      for (var d = 2; d * d <= n; d++) if (n % d === 0) { prime = false; break; }
      if (prime) K[found++] = (Math.pow(n, 1 / 3) % 1) * 4294967296 | 0;
      n++;
    }
  })();
  function sha256js(msg) {
    var h = [0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
             0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19];
    var len = msg.length, total = ((len + 9 + 63) >> 6) << 6;
    var m = new Uint8Array(total);
    m.set(msg); m[len] = 0x80;
    var bits = len * 8;
    for (var i = 0; i < 4; i++) m[total - 1 - i] = (bits >>> (8 * i)) & 255;
    m[total - 5] = Math.floor(bits / 4294967296) & 255;
    var w = new Array(64);
    function rotr(x, r) { return (x >>> r) | (x << (32 - r)); }
    for (var off = 0; off < total; off += 64) {
      for (var t = 0; t < 16; t++)
        w[t] = (m[off + 4 * t] << 24) | (m[off + 4 * t + 1] << 16) |
               (m[off + 4 * t + 2] << 8) | m[off + 4 * t + 3];
      for (t = 16; t < 64; t++) {
        var s0 = rotr(w[t - 15], 7) ^ rotr(w[t - 15], 18) ^ (w[t - 15] >>> 3);
        var s1 = rotr(w[t - 2], 17) ^ rotr(w[t - 2], 19) ^ (w[t - 2] >>> 10);
        w[t] = (w[t - 16] + s0 + w[t - 7] + s1) | 0;
      }
      var a = h[0], b = h[1], c = h[2], d = h[3], e = h[4], f = h[5], g = h[6], k = h[7];
      for (t = 0; t < 64; t++) {
        var t1 = (k + (rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25)) + ((e & f) ^ (~e & g)) +
                  K[t] + w[t]) | 0;
        var t2 = ((rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22)) + ((a & b) ^ (a & c) ^ (b & c))) | 0;
        k = g; g = f; f = e; e = (d + t1) | 0; d = c; c = b; b = a; a = (t1 + t2) | 0;
      }
      h[0] = (h[0] + a) | 0; h[1] = (h[1] + b) | 0; h[2] = (h[2] + c) | 0; h[3] = (h[3] + d) | 0;
      h[4] = (h[4] + e) | 0; h[5] = (h[5] + f) | 0; h[6] = (h[6] + g) | 0; h[7] = (h[7] + k) | 0;
    }
    var out = new Uint8Array(32);
    for (i = 0; i < 8; i++)
      for (var j = 0; j < 4; j++) out[4 * i + j] = (h[i] >>> (24 - 8 * j)) & 255;
    return out;
  }

  var subtle = window.crypto && window.crypto.subtle;
  function sha256(bytes) {
    if (subtle) return subtle.digest("SHA-256", bytes).then(function (d) { return new Uint8Array(d); });
    return Promise.resolve(sha256js(bytes));
  }
  function hmac(key, msg) {
    if (subtle)
      return subtle.importKey("raw", key, { name: "HMAC", hash: "SHA-256" }, false, ["sign"])
        .then(function (k) { return subtle.sign("HMAC", k, msg); })
        .then(function (d) { return new Uint8Array(d); });
    var k = new Uint8Array(64), ip = new Uint8Array(64), op = new Uint8Array(64);
    k.set(key.length > 64 ? sha256js(key) : key);
    for (var i = 0; i < 64; i++) { ip[i] = k[i] ^ 0x36; op[i] = k[i] ^ 0x5c; }
    return Promise.resolve(sha256js(concat(op, sha256js(concat(ip, msg)))));
  }

  // Resolves to the explanation (Markdown) if `letter` answers li, else null.
  function checkSealed(li, letter) {
    var parts = li.dataset.answerKey.split(":"), n = li.dataset.n;
    var salt = hexBytes(parts[1]);
    return hmac(salt, utf8(n + ":" + letter)).then(function (mac) {
      if (bytesHex(mac) !== parts[2]) return null;
      return hmac(salt, utf8("explain:" + n + ":" + letter)).then(function (k) {
        var sealed = hexBytes(li.dataset.explainSealed.slice("sealed:".length));
        var blocks = [];
        for (var off = 0, ctr = 0; off < sealed.length; off += 32, ctr++)
          blocks.push(sha256(concat(k, new Uint8Array([ctr >>> 24, (ctr >>> 16) & 255,
                                                          (ctr >>> 8) & 255, ctr & 255]))));
        return Promise.all(blocks).then(function (bs) {
          for (var i = 0; i < sealed.length; i++) sealed[i] ^= bs[i >> 5][i & 31];
          return new TextDecoder().decode(sealed);
        });
      });
    });
  }

  // Inline Markdown of an unsealed explanation: code spans and emphasis,
  // after escaping, so the text cannot inject markup.
  function inlineMd(s) {
    return escapeHtml(s).replace(/`([^`]+)`/g, "<code>$1</code>")
      .replace(/\*\*([^*]+)\*\*/g, "<strong>$1</strong>")
      .replace(/(^|[^\w*])[*_]([^*_]+)[*_](?!\w)/g, "$1<em>$2</em>");
  }

  // Shows the outcome of choosing `letter` for a sealed question li: right
  // or not, never which choice is right.
  function answerSealed(li, letter) {
    return checkSealed(li, letter).then(function (explain) {
      li.querySelectorAll(".quiz-choice").forEach(function (b) {
        var l = b.dataset.letter;
        b.classList.toggle("right", l === letter && explain !== null);
        b.classList.toggle("wrong", l === letter && explain === null);
        b.setAttribute("aria-pressed", l === letter ? "true" : "false");
      });
      var fb = li.querySelector(".quiz-feedback");
      fb.className = "quiz-feedback " + (explain !== null ? "right" : "wrong");
      fb.textContent = explain !== null ? "Right." : "Not quite: try another answer.";
      var ex = li.querySelector(".quiz-explain");
      if (explain !== null) ex.innerHTML = inlineMd(explain);
      ex.hidden = explain === null;
      li.dataset.checked = explain !== null ? "right" : "wrong";
    });
  }

  // ------------------------------------------------------------ quiz

  // Shows the outcome of choosing `letter` for question li.
  function answer(li, letter) {
    if (li.dataset.answerKey) return answerSealed(li, letter);
    var right = li.dataset.answer;
    li.querySelectorAll(".quiz-choice").forEach(function (b) {
      var l = b.dataset.letter;
      b.classList.toggle("right", l === right);
      b.classList.toggle("wrong", l === letter && l !== right);
      b.setAttribute("aria-pressed", l === letter ? "true" : "false");
    });
    var fb = li.querySelector(".quiz-feedback");
    var ok = letter === right;
    fb.className = "quiz-feedback " + (ok ? "right" : "wrong");
    fb.textContent = ok ? "Right." : "Not quite: the answer is " + right + ".";
    li.querySelector(".quiz-explain").hidden = false;
  }

  document.querySelectorAll(".quiz-q").forEach(function (li) {
    var saved = recall("quiz:" + li.dataset.key);
    if (saved) answer(li, saved);
    li.querySelectorAll(".quiz-choice").forEach(function (b) {
      b.addEventListener("click", function () {
        store("quiz:" + li.dataset.key, b.dataset.letter);
        answer(li, b.dataset.letter);
      });
    });
  });

  // ------------------------------------------------------------ search

  var input = document.getElementById("search");
  var list = document.getElementById("search-results");
  var index = window.GILWB_SEARCH || [];

  function words(q) {
    return q.toLowerCase().split(/\s+/).filter(Boolean);
  }
  function quote(w) { return w.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"); }
  function wholeWord(hay, w) {
    return new RegExp("(^|[^a-z0-9_])" + quote(w) + "($|[^a-z0-9_])").test(hay);
  }
  // How often w starts a word of hay ("os" in "os thread", not in "most";
  // "gil" in "rt_gil_take"), at most 50.
  function countStarts(hay, w) {
    var m = hay.match(new RegExp("(^|[^a-z0-9])" + quote(w), "g"));
    return m ? Math.min(m.length, 50) : 0;
  }

  // Every word must occur, if only inside a longer word.  A word that
  // starts a word of the section's own title counts most (more again as a
  // whole word), then of the chapter's title; then how often it starts a
  // word of the text (with diminishing returns), whole words over parts of
  // words, and the query as a phrase (in the section's title, most).
  function rank(q) {
    var ws = words(q);
    if (!ws.length) return [];
    var phrase = ws.join(" "), hits = [];
    index.forEach(function (e, order) {
      var sec = e.s.toLowerCase(), title = (e.s + " " + e.c).toLowerCase(), text = e.t.toLowerCase();
      var score = 0;
      for (var i = 0; i < ws.length; i++) {
        var w = ws[i], inSec = countStarts(sec, w) > 0, inTitle = countStarts(title, w) > 0;
        var n = countStarts(text, w);
        if (!inTitle && !n && title.indexOf(w) < 0 && text.indexOf(w) < 0) return;
        if (inSec) score += 12 + (wholeWord(sec, w) ? 4 : 0);
        else if (inTitle) score += 3;
        score += n ? 2 + Math.log2(n) * 1.5 : 0.5;
        if (wholeWord(text, w) || wholeWord(title, w)) score += 2;
      }
      if (ws.length > 1 && sec.indexOf(phrase) >= 0) score += 12;
      else if (ws.length > 1 && (text.indexOf(phrase) >= 0 || title.indexOf(phrase) >= 0)) score += 8;
      hits.push({ e: e, score: score, order: order });
    });
    hits.sort(function (a, b) { return b.score - a.score || a.order - b.order; });
    return hits.slice(0, 12).map(function (h) { return h.e; });
  }

  // text with every occurrence of the words marked, escaped.
  function markAll(text, ws) {
    var low = text.toLowerCase(), marks = [];
    ws.forEach(function (w) {
      for (var at = low.indexOf(w); at >= 0; at = low.indexOf(w, at + w.length)) marks.push([at, at + w.length]);
    });
    marks.sort(function (a, b) { return a[0] - b[0]; });
    var out = "", pos = 0;
    marks.forEach(function (m) {
      if (m[0] < pos) return; // overlaps the previous mark
      out += escapeHtml(text.slice(pos, m[0])) + "<mark>" + escapeHtml(text.slice(m[0], m[1])) + "</mark>";
      pos = m[1];
    });
    return out + escapeHtml(text.slice(pos));
  }

  // The stretch of text (about 170 characters) holding the most query
  // words, with all of them marked.
  function snippet(text, ws) {
    var low = text.toLowerCase(), best = 0, bestScore = -1;
    ws.forEach(function (w) {
      for (var at = low.indexOf(w), k = 0; at >= 0 && k < 40; at = low.indexOf(w, at + 1), k++) {
        var win = low.slice(Math.max(0, at - 50), at + 120), s = 0;
        ws.forEach(function (v) { if (win.indexOf(v) >= 0) s++; });
        if (s > bestScore) { bestScore = s; best = at; }
      }
    });
    var from = Math.max(0, best - 50), to = Math.min(text.length, best + 120);
    while (from > 0 && from > best - 70 && /\S/.test(text[from - 1])) from--; // start at a word
    return (from > 0 ? "\u2026" : "") + markAll(text.slice(from, to), ws) +
      (to < text.length ? "\u2026" : "");
  }

  // A result's link carries the query, so the page it opens can mark it.
  function landing(e, q) {
    var hash = e.u.indexOf("#");
    var page = hash < 0 ? e.u : e.u.slice(0, hash), frag = hash < 0 ? "" : e.u.slice(hash);
    return page + "?q=" + encodeURIComponent(q.trim()) + frag;
  }

  function show(q) {
    if (!q.trim()) { list.hidden = true; return; }
    var ws = words(q), hits = rank(q);
    list.innerHTML = hits.length ? hits.map(function (e) {
      return '<li><a href="' + escapeHtml(landing(e, q)) + '">' + markAll(e.s || e.c, ws) +
        '<span class="where">' + escapeHtml(e.c) + " &middot; " + snippet(e.t, ws) +
        "</span></a></li>";
    }).join("") : '<li class="empty">Nothing found.</li>';
    list.hidden = false;
  }

  if (input && list) {
    input.addEventListener("input", function () { show(input.value); });
    input.addEventListener("keydown", function (ev) {
      var links = list.querySelectorAll("a");
      if (ev.key === "Enter" && links.length) { links[0].click(); ev.preventDefault(); }
      if (ev.key === "ArrowDown" && links.length) { links[0].focus(); ev.preventDefault(); }
      if (ev.key === "Escape") { list.hidden = true; input.blur(); }
    });
    list.addEventListener("keydown", function (ev) {
      var links = Array.prototype.slice.call(list.querySelectorAll("a"));
      var i = links.indexOf(document.activeElement);
      if (ev.key === "ArrowDown" && i + 1 < links.length) { links[i + 1].focus(); ev.preventDefault(); }
      if (ev.key === "ArrowUp") { (i > 0 ? links[i - 1] : input).focus(); ev.preventDefault(); }
      if (ev.key === "Escape") { list.hidden = true; input.focus(); }
    });
    document.addEventListener("click", function (ev) {
      if (!ev.target.closest(".search")) list.hidden = true;
    });
  }

  // The page a search opened: mark the query's words in the text, open the
  // closed panels that hold one, and show the first mark in the section the
  // result named.  Escape removes the marks.
  function markPage(q) {
    var ws = words(q).filter(function (w) { return w.length > 1; });
    var root = document.querySelector("main .text");
    if (!ws.length || !root) return;
    var re = new RegExp(ws.map(function (w) {
      return w.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
    }).join("|"), "gi");
    var walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT, {
      acceptNode: function (n) {
        return n.parentNode.closest("script, style, svg, .tl-live, button") ? NodeFilter.FILTER_REJECT
          : NodeFilter.FILTER_ACCEPT;
      }
    });
    var nodes = [];
    while (walker.nextNode()) nodes.push(walker.currentNode);
    nodes.forEach(function (n) {
      var t = n.nodeValue, m, last = 0, frag = null;
      re.lastIndex = 0;
      while ((m = re.exec(t))) {
        frag = frag || document.createDocumentFragment();
        frag.appendChild(document.createTextNode(t.slice(last, m.index)));
        var mark = document.createElement("mark");
        mark.className = "hit";
        mark.textContent = m[0];
        frag.appendChild(mark);
        last = m.index + m[0].length;
      }
      if (!frag) return;
      frag.appendChild(document.createTextNode(t.slice(last)));
      n.parentNode.replaceChild(frag, n);
    });
    var marks = root.querySelectorAll("mark.hit");
    marks.forEach(function (mk) {
      var d = mk.closest("details");
      if (d) d.open = true;
    });
    // the first mark inside the section the link named, else the first one
    var target = location.hash && document.getElementById(decodeURIComponent(location.hash.slice(1)));
    var first = null;
    if (target) {
      for (var i = 0; i < marks.length && !first; i++)
        if (target.compareDocumentPosition(marks[i]) & Node.DOCUMENT_POSITION_FOLLOWING) first = marks[i];
    }
    first = first || marks[0];
    // after the browser's own jump to the section (at load), bring the word
    // itself into view
    function show() { setTimeout(function () { first.scrollIntoView({ block: "center" }); }, 0); }
    if (first && document.readyState === "complete") show();
    else if (first) window.addEventListener("load", show);
    document.addEventListener("keydown", function clear(ev) {
      if (ev.key !== "Escape" || ev.target === input) return;
      root.querySelectorAll("mark.hit").forEach(function (mk) {
        mk.replaceWith(document.createTextNode(mk.textContent));
      });
      root.normalize();
      document.removeEventListener("keydown", clear);
    });
  }
  var landedQuery = new URLSearchParams(location.search).get("q");
  if (landedQuery) markPage(landedQuery);

  // ------------------------------------------------------------ keys and menu

  // Left and right arrows turn pages, but only when nothing that takes keys
  // has the focus: a quiz choice, a button, a link, a scrolling code block
  // or the timeline's cursor use the arrows themselves.  "/" goes to search.
  // Not with a modifier (Alt+Left is the browser's Back).
  function nothingFocused() {
    var a = document.activeElement;
    return !a || a === document.body || a === document.documentElement || a.id === "content";
  }
  document.addEventListener("keydown", function (ev) {
    var t = ev.target;
    if (ev.altKey || ev.ctrlKey || ev.metaKey || ev.shiftKey || ev.defaultPrevented) return;
    if (t && (t.tagName === "INPUT" || t.tagName === "TEXTAREA" || t.tagName === "SELECT" ||
              t.isContentEditable)) return;
    if (ev.key === "/" && input) { input.focus(); ev.preventDefault(); return; }
    if (!nothingFocused()) return;
    var rel = ev.key === "ArrowLeft" ? "prev" : ev.key === "ArrowRight" ? "next" : null;
    var link = rel && document.querySelector('.pager a[rel="' + rel + '"]');
    if (link) { location.href = link.href; ev.preventDefault(); }
  });

  var menu = document.querySelector(".menu");
  function setMenu(open) {
    document.body.classList.toggle("nav-open", open);
    menu.setAttribute("aria-expanded", open ? "true" : "false");
  }
  if (menu) {
    menu.addEventListener("click", function () {
      setMenu(!document.body.classList.contains("nav-open"));
    });
    document.addEventListener("keydown", function (ev) {
      if (ev.key === "Escape" && document.body.classList.contains("nav-open")) {
        setMenu(false);
        menu.focus();
      }
    });
    document.querySelectorAll(".sidebar a").forEach(function (a) {
      a.addEventListener("click", function () { setMenu(false); });
    });
  }

  // ------------------------------------------------------------ copy buttons

  // A command block: a shell fence, the exercise's submit line, or a block
  // of a task README (they carry no language) whose lines are commands.
  var COMMAND = /^(\$ )?(make|grader|cc|gcc|clang|python3?|git|cd|export|\.\/|[A-Z_]+=\S*\s)/;
  function isCommand(pre) {
    var code = pre.querySelector("code");
    if (!code) return false;
    if (/language-(sh|shell|bash|console)\b/.test(code.className) || pre.classList.contains("submit"))
      return true;
    if (/language-/.test(code.className)) return false;
    var cont = false;
    return code.textContent.split("\n").every(function (l) {
      var ok = cont || !l.trim() || /^\s*#/.test(l) || COMMAND.test(l.trim());
      cont = /\\\s*$/.test(l);
      return ok;
    });
  }
  function copyText(text) {
    if (navigator.clipboard && window.isSecureContext)
      return navigator.clipboard.writeText(text);
    return new Promise(function (resolve, reject) {
      var ta = document.createElement("textarea");
      ta.value = text;
      ta.setAttribute("readonly", "");
      ta.style.position = "fixed";
      ta.style.opacity = "0";
      document.body.appendChild(ta);
      ta.select();
      var ok = document.execCommand("copy");
      ta.remove();
      if (ok) resolve(); else reject(new Error("copy refused"));
    });
  }
  document.querySelectorAll("main pre.code").forEach(function (pre) {
    if (!isCommand(pre)) return;
    var wrap = document.createElement("div");
    wrap.className = "copy-wrap";
    pre.parentNode.insertBefore(wrap, pre);
    wrap.appendChild(pre);
    var b = document.createElement("button");
    b.type = "button";
    b.className = "copy";
    b.textContent = "Copy";
    b.setAttribute("aria-label", "Copy the command");
    wrap.appendChild(b);
    b.addEventListener("click", function () {
      var text = pre.querySelector("code").textContent.replace(/^\$ /gm, "").replace(/\n+$/, "");
      copyText(text).then(function () { b.textContent = "Copied"; }, function () {
        b.textContent = "Select and copy";
      });
      setTimeout(function () { b.textContent = "Copy"; }, 2000);
    });
  });

  // ------------------------------------------------------------ scrolling blocks

  // A block wider than the screen scrolls; say so, and let the keyboard
  // reach it (Tab to it, then the arrows scroll it).
  function markScrolling() {
    document.querySelectorAll("main pre.code, main .table-wrap, main .fig-scroll, main table:not(.table-wrap > table)")
      .forEach(function (el) {
        var scrolls = el.scrollWidth > el.clientWidth + 1 && el.offsetParent !== null;
        var hint = el.previousElementSibling;
        var hasHint = hint && hint.classList.contains("scroll-hint");
        el.classList.toggle("scrolls", scrolls);
        if (scrolls && !hasHint) {
          var kind = el.tagName === "PRE" ? "Code" : el.matches(".table-wrap, table") ? "Table" : "Figure";
          el.tabIndex = 0;
          el.setAttribute("role", "region");
          el.setAttribute("aria-label", kind + ", scrolls sideways");
          var h = document.createElement("span");
          h.className = "scroll-hint";
          h.setAttribute("aria-hidden", "true");
          h.textContent = "scrolls sideways \u2192";
          el.parentNode.insertBefore(h, el);
        } else if (!scrolls && hasHint) {
          hint.remove();
          el.removeAttribute("tabindex");
          el.removeAttribute("role");
          el.removeAttribute("aria-label");
        }
      });
  }
  window.GILWB.markScrolling = markScrolling;
  markScrolling();
  var resizeTimer;
  window.addEventListener("resize", function () {
    clearTimeout(resizeTimer);
    resizeTimer = setTimeout(markScrolling, 150);
  });
  document.querySelectorAll("details").forEach(function (d) {
    d.addEventListener("toggle", markScrolling);
  });

  // ------------------------------------------------------------ where am I

  // The sidebar's contents follow the reading position: the section whose
  // heading was passed last is marked, and kept in view in the sidebar.
  var tocLinks = Array.prototype.slice.call(document.querySelectorAll(".sidebar .toc a"));
  var sections = tocLinks.map(function (a) {
    return document.getElementById(decodeURIComponent(a.hash.slice(1)));
  });
  var sidebar = document.querySelector(".sidebar");
  function follow() {
    var line = window.innerHeight * 0.3, cur = -1;
    sections.forEach(function (h, i) { if (h && h.getBoundingClientRect().top < line) cur = i; });
    tocLinks.forEach(function (a, i) {
      if (i === cur) a.setAttribute("aria-current", "location");
      else a.removeAttribute("aria-current");
    });
    var a = tocLinks[cur];
    if (a && sidebar && sidebar.scrollHeight > sidebar.clientHeight) {
      var top = a.offsetTop - sidebar.offsetTop, h = sidebar.clientHeight;
      if (top < sidebar.scrollTop + 40 || top > sidebar.scrollTop + h - 60)
        sidebar.scrollTop = top - h / 3;
    }
  }
  if (tocLinks.length) {
    var ticking = false;
    window.addEventListener("scroll", function () {
      if (ticking) return;
      ticking = true;
      requestAnimationFrame(function () { ticking = false; follow(); });
    }, { passive: true });
    follow();
  }
})();
