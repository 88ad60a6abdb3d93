/* book.js - the book's few interactive parts: quizzes, search, keys.
 *
 * No framework and no network: everything the page needs is in the page or
 * in search-index.js, loaded by a <script> tag (browsers refuse fetch() on
 * file:// pages).  Answers are kept in localStorage under "gilwb:quiz:KEY",
 * so they survive a reload; if storage is refused, the quiz still works for
 * the visit.
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

  // Shows the outcome of choosing `letter` for question li.
  function answer(li, letter) {
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
