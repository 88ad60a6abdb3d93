// fixes.mjs - what reading the book in a real browser showed wrong, each
// checked where it was seen: keys, wide blocks, figure labels, quiz text,
// code colours, the phone menu, search, copy buttons, the theme switch and
// the sidebar that follows the reader.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { test, assert, run, chapterPages, blocks, svgTextSizes, contrast, DESK, PHONE } from "./lib.mjs";

// the site test's feature fixture (a chapter and quiz using every feature)
const FIXTURE = fileURLToPath(new URL("../site/good", import.meta.url));

export default async function fixes(s) {
  const { page, url, site } = s;
  const chapters = chapterPages(site);
  const ch = s.shotPage; // the chapter with the timeline (chapter 3)
  const next = chapters[chapters.indexOf(ch) + 1] || null;

  await test("arrow keys leave the page alone while a quiz choice, a button or a scrolling block has focus", async () => {
    await page.setViewportSize(DESK);
    await page.goto(url(ch));
    for (const sel of [".quiz-choice", ".copy", ".tl-next"]) {
      await page.locator(sel).first().focus();
      await page.keyboard.press("ArrowRight");
      await page.keyboard.press("ArrowLeft");
      await page.waitForTimeout(300);
      assert(page.url().split("#")[0].endsWith(ch), `${sel} focused: the page turned to ${page.url()}`);
    }
    // on a phone a wide code block scrolls: the arrows scroll it
    await page.setViewportSize(PHONE);
    await page.goto(url(ch));
    const pre = page.locator("main pre.code.scrolls").first();
    await pre.focus();
    await page.keyboard.press("ArrowRight");
    await page.keyboard.press("ArrowRight");
    await page.waitForTimeout(300);
    assert(page.url().split("#")[0].endsWith(ch), "a focused code block: the page turned");
    assert(await pre.evaluate((e) => e.scrollLeft) > 0, "the arrows did not scroll the focused block");
    await page.setViewportSize(DESK);
  });

  if (next) {
    await test("arrow keys turn the page when nothing that takes keys has focus", async () => {
      await page.goto(url(ch));
      await page.locator("main .text > p").first().click();
      // a click on text focuses the body, or <main>: the skip link's
      // target, focusable only from script (tabindex -1), takes no keys
      const focused = await page.evaluate(() => {
        const a = document.activeElement;
        return a === document.body || (a.tagName === "MAIN" && a.tabIndex === -1) ? null : a.outerHTML.slice(0, 80);
      });
      assert(focused === null, `a click on text focused ${focused}`);
      await page.keyboard.press("ArrowRight");
      await page.waitForURL((u) => u.pathname.endsWith(next));
    });
  }

  for (const [vp, tag] of [[DESK, "1366"], [PHONE, "390"]]) {
    await test(`no clipped block at ${tag} px: each fits, or scrolls and says so`, async () => {
      await page.setViewportSize(vp);
      const bad = [];
      for (const c of [...chapters, "index.html", "bench.html"]) {
        await page.goto(url(c));
        const wide = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
        if (wide > 1) bad.push(`${c}: the page scrolls sideways by ${wide}px`);
        for (const b of await blocks(page)) {
          if (b.right > vp.width + 1) bad.push(`${c}: ${b.what}: past the screen's edge`);
          if (b.over > 1 && !(b.scrolls && b.focusable && b.hint && /auto|scroll/.test(b.overflowX)))
            bad.push(`${c}: ${b.what}: clipped by ${b.over}px with no scroll cue`);
        }
      }
      assert(bad.length === 0, bad.join("\n"));
      await s.shot(`blocks-${tag}`);
    });
  }

  await test("at 1366 px the demo table and the exercise's commands use the room: nothing scrolls", async () => {
    await page.setViewportSize(DESK);
    await page.goto(url(ch));
    const over = (await blocks(page)).filter((b) => b.over > 1).map((b) => b.what);
    assert(over.length === 0, `scrolling at 1366 px: ${over.join("; ")}`);
    // the demo's two result tables (speeds; counters) are HTML tables with
    // the columns the prose tells readers to read, each a column of its own
    const tables = page.locator("figure.results table");
    assert(await tables.count() >= 2, "the demo's output is not two tables");
    const cols = await tables.locator("thead th").allTextContents();
    for (const c of ["wall", "speedup", "forced", "at once", "OS thr", "hold p50"])
      assert(cols.some((t) => t.trim() === c || t.trim().startsWith(c + " (")), `no column ${c} in ${cols}`);
    const ragged = await tables.evaluateAll((ts) => ts.filter((t) => {
      const n = [...t.rows[0].cells].reduce((k, c) => k + c.colSpan, 0);
      return [...t.tBodies[0].rows].some((r) => r.cells.length !== n);
    }).length);
    assert(ragged === 0, `${ragged} result tables have rows without a cell per column`);
    await page.locator("figure.results").first().scrollIntoViewIfNeeded();
    await s.shot("results-1366");
    // the exercise's commands (it once showed a long `cc` line; now make)
    const cmds = page.locator("pre.code", { hasText: /make exercise-\d/ });
    assert(await cmds.count() > 0, "no block of the exercise's commands");
    await cmds.first().scrollIntoViewIfNeeded();
    await s.shot("exercise-commands-1366");
  });

  for (const [vp, tag] of [[DESK, "1366"], [PHONE, "390"]]) {
    await test(`figure labels are at least 12 px at ${tag} px (diagrams, the timeline, the lit diagram)`, async () => {
      await page.setViewportSize(vp);
      const small = [];
      for (const c of chapters) {
        await page.goto(url(c));
        if (await page.locator(".tl-step").count()) await page.locator(".tl-step").first().click();
        for (const t of await svgTextSizes(page)) if (t.px < 11.95) small.push(`${c}: "${t.text}" ${t.px.toFixed(1)}px`);
      }
      assert(small.length === 0, small.slice(0, 12).join("\n"));
    });
  }
  await page.setViewportSize(DESK);

  // The book's quizzes no longer hold angle brackets, so this reads the
  // site test's feature fixture, whose quiz explains "Look in
  // /proc/<pid>/task.", built here by the same generator.
  await test("quiz text is escaped, not dropped: /proc/<pid>/task shows its <pid>", async () => {
    const scratch = fs.mkdtempSync(path.join(os.tmpdir(), "gilwb-fixture-"));
    try {
      run(process.env.SITEGEN, ["--root", FIXTURE, "--out", path.join(scratch, "site"), "--quiet",
                                "--gradebook", path.join(scratch, "none.sqlite")]);
      await page.goto(pathToFileURL(path.join(scratch, "site", "01-good.html")).href);
      const texts = (await page.locator(".quiz").allTextContents()).join(" ");
      assert(texts.includes("/proc/<pid>/task"), "the quiz lost <pid>");
      assert(!texts.includes("/proc//task"), "the quiz shows /proc//task");
    } finally {
      fs.rmSync(scratch, { recursive: true, force: true });
    }
  });

  for (const scheme of ["light", "dark"]) {
    await test(`code comments have 4.5:1 contrast and code is single-spaced (${scheme})`, async () => {
      await page.emulateMedia({ colorScheme: scheme });
      await page.goto(url(ch));
      const r = await page.evaluate(() => {
        const c = document.querySelector("pre.code .tok-comment");
        const pre = c.closest("pre");
        const ps = getComputedStyle(pre);
        return { fg: getComputedStyle(c).color, bg: ps.backgroundColor,
                 spacing: parseFloat(ps.lineHeight) / parseFloat(ps.fontSize) };
      });
      const ratio = contrast(r.fg, r.bg);
      assert(ratio >= 4.5, `comment ${r.fg} on ${r.bg}: ${ratio.toFixed(2)}:1`);
      assert(r.spacing <= 1.6, `code line height is ${r.spacing.toFixed(2)} times the font size`);
    });
  }
  await page.emulateMedia({ colorScheme: "light" });

  await test("the closed phone menu keeps its links out of the Tab order; open, they are in it", async () => {
    await page.setViewportSize(PHONE);
    await page.goto(url(ch));
    const inSidebar = () => page.evaluate(() => !!document.activeElement.closest(".sidebar"));
    for (let i = 0; i < 25; i++) {
      await page.keyboard.press("Tab");
      assert(!(await inSidebar()), `Tab ${i + 1} reached a link of the closed menu`);
    }
    await page.locator(".menu").focus();
    await page.keyboard.press("Enter");
    let reached = false;
    for (let i = 0; i < 8 && !reached; i++) {
      await page.keyboard.press("Tab");
      reached = await inSidebar();
    }
    assert(reached, "the open menu's links are not in the Tab order");
    await page.keyboard.press("Escape");
    assert(await page.evaluate(() => !document.body.classList.contains("nav-open")), "Escape did not close the menu");
    await page.setViewportSize(DESK);
  });

  const search = async (q) => {
    await page.locator("#search").fill(q);
    await page.locator("#search-results li").first().waitFor();
    return page.evaluate(() => [...document.querySelectorAll("#search-results a")].map((a) => ({
      href: a.getAttribute("href"), title: a.firstChild.textContent, html: a.innerHTML, where: a.querySelector(".where").innerHTML })));
  };
  await test("search finds exercise-panel and quiz text: gettid, ex03, setswitchinterval", async () => {
    await page.goto(url("index.html"));
    let hits = await search("gettid");
    assert(hits.some((h) => /#exercise/.test(h.href)), `gettid: ${hits.map((h) => h.href)}`);
    hits = await search("ex03");
    assert(hits.some((h) => /#exercise/.test(h.href)), `ex03: ${hits.map((h) => h.href)}`);
    hits = await search("setswitchinterval");
    const quiz = hits.filter((h) => /#quiz/.test(h.href))[0];
    assert(quiz, `setswitchinterval: ${hits.map((h) => h.href)}`);
    assert(/<mark>setswitchinterval<\/mark>/i.test(quiz.where), `quiz hit has no snippet: ${quiz.where}`);
    await s.shot("search-quiz");
  });

  await test("search ranks by relevance, not page order, and marks every word", async () => {
    await page.goto(url("index.html"));
    const hits = await search("os thread");
    assert(/one-os-thread-per-python-thread/.test(hits[0].href), `first hit: ${hits[0].href} (${hits[0].title})`);
    const two = await search("drop request");
    const marked = two.filter((h) => /<mark>drop<\/mark>/i.test(h.where) && /<mark>request<\/mark>/i.test(h.where));
    assert(marked.length > 0, "no snippet marks both words");
    await s.shot("search-ranked");
  });

  await test("the page a search opens marks the words, in the section it names", async () => {
    await page.goto(url("index.html"));
    const hits = await search("setswitchinterval");
    await page.locator("#search-results a", { hasText: "Quiz" }).first().click();
    await page.waitForURL((u) => u.hash === "#quiz");
    const marks = await page.evaluate(() => [...document.querySelectorAll("mark.hit")].map((m) => m.textContent.toLowerCase()));
    assert(marks.length > 0 && marks.every((m) => m === "setswitchinterval"), `marks: ${marks}`);
    await page.waitForFunction(() => {
      const r = document.querySelector("mark.hit").getBoundingClientRect();
      return r.top >= 0 && r.bottom <= window.innerHeight;
    });
    await s.shot("search-landing");
    await page.keyboard.press("Escape");
    assert(await page.locator("mark.hit").count() === 0, "Escape left the marks");
    assert(hits.length > 0, "no hits");
  });

  await test("a copy button copies a command block", async () => {
    await page.context().grantPermissions(["clipboard-read", "clipboard-write"]);
    await page.goto(url(ch));
    const wrap = page.locator(".copy-wrap", { hasText: "make chapter" }).first();
    await wrap.locator(".copy").click();
    await wrap.locator(".copy", { hasText: "Copied" }).waitFor();
    const text = await page.evaluate(() => navigator.clipboard.readText());
    assert(/^make chapter\d+$/.test(text), `clipboard holds ${JSON.stringify(text)}`);
    assert(await page.locator(".copy-wrap .copy").count() >= 2, "too few command blocks have a copy button");
    const cBlocks = await page.evaluate(() => [...document.querySelectorAll("pre.code code.language-c")]
      .filter((c) => c.closest(".copy-wrap")).length);
    assert(cBlocks === 0, "a C block got a copy button");
  });

  await test("a manual light/dark switch beside the automatic one, remembered", async () => {
    await page.emulateMedia({ colorScheme: "light" });
    await page.goto(url(ch));
    await page.evaluate(() => localStorage.removeItem("gilwb:theme"));
    await page.reload();
    const bg = () => page.evaluate(() => getComputedStyle(document.body).backgroundColor);
    const auto = await bg();
    const b = page.locator(".theme");
    await b.click(); // light
    assert(await page.evaluate(() => document.documentElement.dataset.theme) === "light", "first press: not light");
    await b.click(); // dark
    assert(await page.evaluate(() => document.documentElement.dataset.theme) === "dark", "second press: not dark");
    const dark = await bg();
    assert(dark !== auto, `dark ${dark} = light ${auto}`);
    await page.reload();
    assert(await bg() === dark, "the choice was not remembered");
    await s.shot("theme-dark-forced");
    await b.click(); // back to automatic
    assert(await page.evaluate(() => !document.documentElement.dataset.theme), "third press: not automatic");
    assert(await bg() === auto, "automatic is not the system's light");
  });

  await test("the sidebar's contents follow the reading position", async () => {
    await page.goto(url(ch));
    const ids = await page.evaluate(() => [...document.querySelectorAll(".sidebar .toc a")].map((a) => a.hash.slice(1)));
    assert(ids.length >= 3, "too few sections");
    for (const id of [ids[1], ids[ids.length - 2]]) {
      await page.evaluate((i) => document.getElementById(i).scrollIntoView({ block: "start" }), id);
      await page.waitForFunction((i) => {
        const a = document.querySelector('.sidebar .toc a[aria-current="location"]');
        return a && a.hash === "#" + i;
      }, id);
    }
    await s.shot("sidebar-follows");
  });
}
