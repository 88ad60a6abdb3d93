// a11y.mjs - axe-core finds no serious or critical violation on any page,
// in light and in dark, at rest and with the timeline and a quiz in use;
// and the printed chapter keeps headings with their text, questions with
// their choices and figures whole (read back from Chromium's own PDF).
import fs from "node:fs";
import path from "node:path";
import { test, assert, require, run, pdfPages, DESK } from "./lib.mjs";

const AXE = require.resolve("axe-core/axe.min.js");

async function axe(page) {
  await page.addScriptTag({ path: AXE });
  const r = await page.evaluate(() => window.axe.run(document, { resultTypes: ["violations"] }));
  return r.violations.filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) => `${v.id} (${v.impact}): ${v.nodes.slice(0, 3).map((n) => n.target.join(" ")).join(", ")}`);
}

export default async function a11y(s) {
  const { page, url, site } = s;
  const pages = fs.readdirSync(site).filter((f) => f.endsWith(".html")).sort();
  const ch = s.shotPage;
  await page.setViewportSize(DESK);

  for (const scheme of ["light", "dark"]) {
    await test(`axe-core: no serious violation on any page (${scheme})`, async () => {
      await page.emulateMedia({ colorScheme: scheme });
      const bad = [];
      for (const p of pages) {
        await page.goto(url(p));
        for (const v of await axe(page)) bad.push(`${p}: ${v}`);
      }
      // the chapter in use: a quiz answered, the timeline stepping
      await page.goto(url(ch));
      await page.locator(".quiz-choice").first().click();
      if (await page.locator(".tl-step").count()) {
        await page.locator(".tl-step").click();
        await page.locator(".tl-step").click();
      }
      for (const v of await axe(page)) bad.push(`${ch} (in use): ${v}`);
      assert(bad.length === 0, bad.join("\n"));
    });
  }
  await test("axe-core: no serious violation with the theme switched by hand", async () => {
    await page.emulateMedia({ colorScheme: "light" });
    await page.goto(url(ch));
    await page.evaluate(() => localStorage.setItem("gilwb:theme", "dark"));
    await page.reload();
    const bad = await axe(page);
    await page.evaluate(() => localStorage.removeItem("gilwb:theme"));
    assert(bad.length === 0, bad.join("\n"));
  });
  await page.emulateMedia({ colorScheme: "light" });

  for (const p of [ch, "print.html"]) {
    await test(`print (${p}): no heading alone at a page foot, questions with their choices, figures whole`, async () => {
      await page.goto(url(p));
      await page.emulateMedia({ media: "print" });
      const doc = await page.evaluate(() => ({
        heads: [...document.querySelectorAll("main h1, main h2, main h3, main h4")]
          .map((h) => h.textContent.replace(/\s+/g, " ").trim()).filter(Boolean),
        quiz: [...document.querySelectorAll(".quiz-q")].map((q) => [q.querySelector(".quiz-question"),
          ...q.querySelectorAll(".quiz-choice")].map((e) => e.textContent.replace(/\s+/g, " ").trim().slice(0, 28))),
        // a result table's bars are backgrounds: printed only if asked for
        unprinted: [...document.querySelectorAll(".bar-fill")]
          .filter((e) => (getComputedStyle(e).printColorAdjust || getComputedStyle(e).webkitPrintColorAdjust) !== "exact").length,
        figures: [...document.querySelectorAll("figure.diagram, figure.results")].map((f) =>
          [...f.querySelectorAll("svg text, tbody th, tbody td")]
            .map((e) => e.textContent.replace(/\s+/g, " ").trim()).filter((x) => x.length > 3)),
      }));
      const pdf = path.join(s.shots, `print-${p.replace(/\.html$/, "")}.pdf`);
      await page.pdf({ path: pdf, format: "A4", margin: { top: "18mm", bottom: "18mm", left: "16mm", right: "16mm" } });
      await page.emulateMedia({ media: "screen" });
      const norm = (t) => t.replace(/\s+/g, " ");
      const texts = pdfPages(pdf).map(norm);
      const lines = pdfPages(pdf).map((pg) => pg.split("\n").map((l) => l.trim()).filter(Boolean));
      const bad = [];
      lines.slice(0, -1).forEach((ls, i) => {
        const last1 = norm(ls[ls.length - 1] || ""), last2 = norm(ls.slice(-2).join(" "));
        for (const h of doc.heads)
          if (last1 && (last1 === h || (h.length > last1.length && last2.endsWith(h))))
            bad.push(`page ${i + 1} ends with the heading "${h}"`);
      });
      const pageOf = (frag) => texts.findIndex((t) => t.includes(norm(frag)));
      // Where a question or a figure prints is read from its texts that the
      // PDF holds exactly once: a row name ("main thread alone") or a choice
      // may also be in the prose, another table or an image's labels, and
      // would be found on that page instead.  Most must have two such texts.
      const whole = texts.join("\f");
      const once = (t) => { const i = whole.indexOf(norm(t)); return i >= 0 && whole.indexOf(norm(t), i + 1) < 0; };
      const own = (parts) => parts.filter((t) => t && once(t));
      const checkable = (n, of, what) => {
        if (n * 2 < of) bad.push(`only ${n} of ${of} ${what} have two texts of their own in the PDF`);
      };
      const quiz = doc.quiz.map(own);
      checkable(quiz.filter((q) => q.length >= 2).length, quiz.length, "questions");
      quiz.forEach((parts, i) => {
        const where = new Set(parts.map(pageOf));
        if (where.size > 1) bad.push(`question ${i + 1} is split: pages ${[...where].map((x) => x + 1)}`);
      });
      doc.quiz.forEach((parts, i) => {
        if (parts.some((t) => pageOf(t) < 0)) bad.push(`question ${i + 1} is missing from the PDF`);
      });
      if (doc.unprinted) bad.push(`${doc.unprinted} result-table bars would not print`);
      const figs = doc.figures.map(own).map((t) => [t[0], t[t.length - 1]]);
      checkable(figs.filter(([a, b]) => a && b && a !== b).length, figs.length, "figures");
      figs.forEach(([a, b], i) => {
        if (a && b && a !== b && pageOf(a) !== pageOf(b))
          bad.push(`figure ${i + 1} is split: "${a}" p${pageOf(a) + 1}, "${b}" p${pageOf(b) + 1}`);
      });
      assert(bad.length === 0, bad.join("\n"));
      if (p === ch) {
        run("pdftoppm", ["-png", "-r", "60", "-f", "1", "-l", "12", pdf, path.join(s.shots, "print-page")]);
      }
    });
  }
}
