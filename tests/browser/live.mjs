// live.mjs - the reader's own data, with no rebuild of the site: progress
// after `grader submit` and `grader quiz`, the reader's demo run and traces
// after make chapterN's recording (tools/sitedata), the benchmarks page.
//
// The grader runs on a copy of the course (exercises/03 and the chapters)
// with its own gradebook, so the learner's files are never touched;
// GRADER_SITE points it at the site under test.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { test, assert, run, DESK } from "./lib.mjs";

export default async function live(s) {
  const { page, url, site } = s;
  const { GRADER, SITEDATA, DEMO03, TRACES03, DEMO04, DEMO05 } = process.env;
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), "gilwb-live-"));
  const course = path.join(scratch, "course");
  fs.mkdirSync(path.join(course, "exercises"), { recursive: true });
  fs.cpSync("exercises/03", path.join(course, "exercises", "03"), { recursive: true });
  fs.rmSync(path.join(course, "exercises", "03", "answers.txt"), { force: true });
  fs.cpSync("chapters", path.join(course, "chapters"), { recursive: true });
  const genv = { GRADER_COURSE: course, GRADER_GRADEBOOK: path.join(scratch, "gradebook.sqlite"),
                 GRADER_SITE: site, NO_COLOR: "1" };
  const ch = s.shotPage;
  await page.setViewportSize(DESK);
  await page.emulateMedia({ colorScheme: "light" });

  await test("before any submit: the index says what to do and the sidebar has no ticks", async () => {
    await page.goto(url("index.html"));
    assert(await page.locator("#progress").isHidden(), "a progress bar with no progress");
    assert(await page.locator(".sidebar .tick").count() === 0, "ticks before any submit");
    const st = await page.locator('.contents li[data-chapter="03"] .state').textContent();
    assert(/exercise 03 to do/.test(st), `state: ${st}`);
    await s.shot("index-before");
  });

  await test("after `grader submit`, with no rebuild: a tick, the progress bar and the chapter's state", async () => {
    let out;
    try {
      out = run(GRADER, ["submit", "03", "--from", "solutions/03", "--skip", "sanitizers", "--skip", "patterns",
                         "--skip", "quiz", "--quiet"], genv);
    } catch (e) {
      throw new Error(`grader submit failed (${e.status}): ${String(e.stdout).slice(-600)} ${String(e.stderr).slice(-600)}`);
    }
    assert(/passed|PASS|score/i.test(out), `grader said: ${out.slice(-300)}`);
    await page.goto(url("index.html"));
    await page.locator("#progress").waitFor();
    const p = await page.locator("#progress").textContent();
    assert(/1 of \d+ exercises passed/.test(p), `progress: ${p}`);
    assert(await page.locator('.progress-bar[aria-valuenow="1"]').count() === 1, "the bar does not say 1");
    assert(await page.locator(".sidebar .tick.passed").count() === 1, "no tick in the sidebar");
    const st = await page.locator('.contents li[data-chapter="03"] .state').first().textContent();
    assert(/passed/.test(st) && /\d{4}|ago/.test(st), `state: ${st}`);
    await s.shot("index-after-submit");
    await page.goto(url(ch));
    const ex = await page.locator("#exercise .ex-state").textContent();
    assert(/^Passed: best score/.test(ex), `exercise state: ${ex}`);
    await page.locator("#exercise").scrollIntoViewIfNeeded();
    await s.shot("exercise-after-submit");
  });

  await test("after `grader quiz`: the quiz score beside the exercise's", async () => {
    await page.goto(url(ch));
    const key = await page.evaluate(() => [...document.querySelectorAll(".quiz-q")]
      .map((li, i) => `${i + 1}=${li.dataset.answer}`).join(","));
    const wrong = key.replace(/^1=([a-f])/, (m, l) => `1=${l === "a" ? "b" : "a"}`);
    run(GRADER, ["quiz", "3", "--answer", wrong], genv);
    await page.goto(url("index.html"));
    const n = key.split(",").length;
    const qs = await page.locator('.contents li[data-chapter="03"] .state', { hasText: "quiz" }).textContent();
    assert(qs.trim() === `quiz ${n - 1}/${n}`, `quiz state: ${qs}`);
    const p = await page.locator("#progress").textContent();
    assert(p.includes(`quizzes ${n - 1} of ${n} right`), `progress: ${p}`);
    await s.shot("index-after-quiz");
  });

  const build = path.join(scratch, "build");
  await test("a chapter shows the reader's own run beside the book's, and in its timeline", async () => {
    await page.goto(url(ch));
    assert(/Run make chapter3/.test(await page.locator(".mine").textContent()), "no hint to run make chapter3");
    assert(await page.locator(".tl-source").isDisabled(), "a choice of runs with only the book's");
    fs.writeFileSync(path.join(scratch, "runs.jsonl"), run(DEMO03, ["show", "--json", "--quick"]));
    run(TRACES03, [path.join(scratch, "traces.json")]);
    run(SITEDATA, ["--build", build, "--site", site, "chapter", "3", "--demo", path.join(scratch, "runs.jsonl"),
                   "--traces", "gil-traces=" + path.join(scratch, "traces.json")]);
    await page.goto(url(ch));
    const mine = page.locator(".mine");
    assert(await mine.locator(".chart .yours").count() >= 3, "no bars for the reader's run");
    assert(await mine.locator(".chart .book").count() >= 3, "no bars for the book's run");
    assert(/cores/.test(await mine.textContent()), "the reader's machine is not named");
    await mine.scrollIntoViewIfNeeded();
    await s.shot("results-yours");
    await page.locator(".tl-source").selectOption("mine");
    assert(/Your run, recorded/.test(await page.locator(".tl-about").textContent()), "the timeline did not switch runs");
    await page.locator("figure.timeline").scrollIntoViewIfNeeded();
    await s.shot("timeline-yours");
  });

  // Chapters whose runs name their rows and their base rows (chapter 4:
  // "ticks, 2 threads" against "ticks, alone"; chapter 5: each group
  // against its first row): one quick run, every row beside the book's.
  for (const [n, demo, file, rows, args] of [
    [4, DEMO04, "04-inside-the-gil.html", 6, ["--reps", "1"]],
    [5, DEMO05, "05-threads-for-waiting.html", 9, []],
  ]) {
    await test(`chapter ${n}'s table: each of the reader's rows beside the book's, against its own base`, async () => {
      await page.goto(url(file));
      assert(new RegExp(`Run make chapter${n}`).test(await page.locator(".mine").textContent()),
             `no hint to run make chapter${n}`);
      const runs = path.join(scratch, `runs${n}.jsonl`);
      fs.writeFileSync(runs, run(demo, ["show", "--json", "--quick", ...args]));
      run(SITEDATA, ["--build", build, "--site", site, "chapter", String(n), "--demo", runs]);
      await page.goto(url(file));
      const mine = page.locator(".mine");
      assert(await mine.locator(".chart .book").count() === rows, `not a book bar for each of the ${rows} rows`);
      assert(await mine.locator(".chart .yours").count() === rows, `not a bar of the reader's for each of the ${rows} rows`);
      assert(!/not in your run/.test(await mine.textContent()), "a row of the book's found no run of the reader's");
      const base = await mine.locator(".chart .yours .val").first().textContent();
      assert(/^1(\.0+)?x yours/.test(base), `the base row is not 1x against itself: ${base}`);
      await mine.scrollIntoViewIfNeeded();
      await s.shot(`results-yours-0${n}`);
    });
  }

  await test("the benchmarks page: how to make it; then log-scale bars with the machine and its load", async () => {
    await page.goto(url("bench.html"));
    const before = await page.locator("#bench").textContent();
    assert(/No benchmark figures yet/.test(before) && /make bench/.test(before), "no instructions");
    await s.shot("bench-empty");
    const rows = [
      { name: "machine.cores", unit: "", ours: 2 }, { name: "machine.load1", unit: "", ours: 0.5 },
      { name: "gil.take_ns", unit: "ns", ours: 10, cpython: 100, libuv: null, note: "an uncontended take" },
      { name: "loop.task_ns", unit: "ns", ours: 1000, cpython: 10000, libuv: 100 },
      { name: "pool.start_ms", unit: "ms", ours: 3.5, cpython: 42 },
    ].map((r) => ({ cpython: null, libuv: null, target: null, note: null, ...r }));
    fs.writeFileSync(path.join(build, "bench.json"), JSON.stringify(rows));
    run(SITEDATA, ["--build", build, "--site", site, "js"]);
    await page.goto(url("bench.html"));
    const text = await page.locator("#bench").textContent();
    assert(/on 2 cores, load 0.50/.test(text), `machine: ${text.slice(0, 200)}`);
    assert(await page.locator(".bench-group").count() === 2, "not one chart per unit");
    // log scale: the ns chart spans 1 .. 10000 (a decade below the smallest
    // figure, so that its bar shows): each factor of ten is a quarter
    const widths = await page.evaluate(() => [...[...document.querySelectorAll(".bench-group")][0].querySelectorAll(".fill")]
      .map((f) => parseFloat(f.style.width)));
    // bars in order: take ours 10, cpython 100; task ours 1000, cpython 10000, libuv 100
    assert([25, 50, 75, 100, 50].every((w, i) => Math.abs(widths[i] - w) < 0.5), `widths ${widths}`);
    await s.shot("bench-figures");
  });

  fs.rmSync(scratch, { recursive: true, force: true });
}
