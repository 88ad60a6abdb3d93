/* book.js - the book's few interactive parts: quizzes, search, keys.
 *
 * No framework and no network: everything the page needs is in the page or
 * in search-index.js, loaded by a <script> tag (browsers refuse fetch() on
 * file:// pages).  Answers are kept in localStorage under "gilwb:quiz:KEY",
 * so they survive a reload; if storage is refused, the quiz still works for
 * the visit.
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

  // ------------------------------------------------------------ quiz

  var PREFIX = "gilwb:quiz:";

  function store(key, value) {
    try { localStorage.setItem(PREFIX + key, value); } catch (e) { /* private mode */ }
  }
  function recall(key) {
    try { return localStorage.getItem(PREFIX + key); } catch (e) { return null; }
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
    var saved = recall(li.dataset.key);
    if (saved) answer(li, saved);
    li.querySelectorAll(".quiz-choice").forEach(function (b) {
      b.addEventListener("click", function () {
        store(li.dataset.key, b.dataset.letter);
        answer(li, b.dataset.letter);
      });
    });
  });

  // ------------------------------------------------------------ search

  var input = document.getElementById("search");
  var list = document.getElementById("search-results");
  var index = window.GILWB_SEARCH || [];

  function escapeHtml(s) {
    return s.replace(/[&<>"]/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" }[c];
    });
  }

  // A snippet of text around the first hit of term, with the hit marked.
  function snippet(text, term) {
    var at = text.toLowerCase().indexOf(term);
    if (at < 0) return escapeHtml(text.slice(0, 120));
    var from = Math.max(0, at - 50);
    var s = text.slice(from, at) + "\u0000" + text.slice(at, at + term.length) +
      "\u0001" + text.slice(at + term.length, at + term.length + 70);
    return (from > 0 ? "&hellip;" : "") +
      escapeHtml(s).replace("\u0000", "<mark>").replace("\u0001", "</mark>") + "&hellip;";
  }

  // Every word of the query must occur; titles count more than text.
  function search(q) {
    var words = q.toLowerCase().split(/\s+/).filter(Boolean);
    if (!words.length) return [];
    var hits = [];
    index.forEach(function (e) {
      var title = (e.s + " " + e.c).toLowerCase(), text = e.t.toLowerCase(), score = 0;
      for (var i = 0; i < words.length; i++) {
        var inTitle = title.indexOf(words[i]) >= 0, inText = text.indexOf(words[i]) >= 0;
        if (!inTitle && !inText) return;
        score += (inTitle ? 10 : 0) + (inText ? 1 : 0);
      }
      hits.push({ e: e, score: score });
    });
    hits.sort(function (a, b) { return b.score - a.score; });
    return hits.slice(0, 12).map(function (h) { return h.e; });
  }

  function show(q) {
    var hits = search(q);
    if (!q.trim()) { list.hidden = true; return; }
    list.innerHTML = hits.length ? hits.map(function (e) {
      return '<li><a href="' + escapeHtml(e.u) + '">' + escapeHtml(e.s || e.c) +
        '<span class="where">' + escapeHtml(e.c) + " &middot; " +
        snippet(e.t, q.trim().toLowerCase().split(/\s+/)[0]) + "</span></a></li>";
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

  // ------------------------------------------------------------ keys and menu

  // Left and right arrows turn pages; "/" goes to search.  Not while typing,
  // and not with a modifier (Alt+Left is the browser's Back).
  document.addEventListener("keydown", function (ev) {
    var t = ev.target;
    if (ev.altKey || ev.ctrlKey || ev.metaKey || ev.shiftKey) return;
    if (t && (t.tagName === "INPUT" || t.tagName === "TEXTAREA" || t.isContentEditable)) return;
    if (ev.key === "/" && input) { input.focus(); ev.preventDefault(); return; }
    var rel = ev.key === "ArrowLeft" ? "prev" : ev.key === "ArrowRight" ? "next" : null;
    var link = rel && document.querySelector('.pager a[rel="' + rel + '"]');
    if (link) { location.href = link.href; ev.preventDefault(); }
  });

  var menu = document.querySelector(".menu");
  if (menu) {
    menu.addEventListener("click", function () {
      var open = document.body.classList.toggle("nav-open");
      menu.setAttribute("aria-expanded", open ? "true" : "false");
    });
  }
})();
