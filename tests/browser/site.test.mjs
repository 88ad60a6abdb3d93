// site.test.mjs SITE_DIR SHOT_DIR [SEALED_DIR] - the built book in headless
// Chromium; SEALED_DIR is the same book with sealed quizzes (a student
// edition's), checked with WebCrypto and with the page's own SHA-256.
//
// Drives Debian's Chromium through playwright-core over file:// pages and
// prints one TAP line per check.  Every wait has a generous timeout: the
// tests must pass on a busy 2-core machine.  Screenshots of a chapter in
// light and dark (and on a phone) go to SHOT_DIR for a person to look at.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { createRequire } from "node:module";
import { pathToFileURL } from "node:url";

const require = createRequire(path.resolve(process.env.NODE_PATH, "..", "package.json"));
const { chromium } = require("playwright-core");

const site = path.resolve(process.argv[2]);
const shots = path.resolve(process.argv[3]);
const url = (name) => pathToFileURL(path.join(site, name)).href;
const sealedSite = process.argv[4] ? path.resolve(process.argv[4]) : null;
const TIMEOUT = 30000;

let n = 0, failed = 0;
async function test(name, fn) {
  n++;
  try {
    await fn();
    console.log(`ok ${n} - ${name}`);
  } catch (e) {
    failed++;
    console.log(`not ok ${n} - ${name}`);
    for (const line of String(e && e.stack || e).split("\n").slice(0, 8)) console.log(`#   ${line}`);
  }
}
function assert(cond, msg) {
  if (!cond) throw new Error(msg);
}

const profile = fs.mkdtempSync(path.join(os.tmpdir(), "gilwb-chromium-"));
const context = await chromium.launchPersistentContext(profile, {
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  headless: true,
  args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  viewport: { width: 1280, height: 900 },
  timeout: 120000,
});
context.setDefaultTimeout(TIMEOUT);

// Every request that is not a local file is recorded and refused.
const outside = [];
await context.route("**/*", (route) => {
  const u = route.request().url();
  if (u.startsWith("file:") || u.startsWith("data:")) return route.continue();
  outside.push(u);
  return route.abort();
});

const pages = fs.readdirSync(site).filter((f) => f.endsWith(".html")).sort();
const chapters = pages.filter((f) => /^\d\d-.*\.html$/.test(f));

try {
  const page = await context.newPage();
  const errors = [];
  page.on("console", (m) => { if (m.type() === "error") errors.push(m.text()); });
  page.on("pageerror", (e) => errors.push(String(e)));
  page.on("requestfailed", (r) => errors.push(`failed: ${r.url()}`));

  for (const p of pages) {
    await test(`${p} loads from file:// with no console error and no outside request`, async () => {
      errors.length = 0;
      outside.length = 0;
      await page.goto(url(p), { waitUntil: "load" });
      assert(errors.length === 0, `errors: ${errors.join("; ")}`);
      assert(outside.length === 0, `outside requests: ${outside.join(", ")}`);
      const h1 = await page.locator("h1").first().textContent();
      assert(h1 && h1.trim().length > 0, "no title");
    });
  }

  const first = chapters[0];
  await test("a quiz answer shows the right feedback and the explanation", async () => {
    await page.goto(url(first));
    await page.evaluate(() => localStorage.clear());
    await page.reload();
    const q = page.locator(".quiz-q").first();
    const right = await q.getAttribute("data-answer");
    const wrong = right === "a" ? "b" : "a";
    assert(await q.locator(".quiz-explain").isHidden(), "explanation shown before answering");
    await q.locator(`.quiz-choice[data-letter="${wrong}"]`).click();
    let fb = await q.locator(".quiz-feedback").textContent();
    assert(fb.includes(`the answer is ${right}`), `wrong answer feedback: ${fb}`);
    assert(await q.locator(`.quiz-choice[data-letter="${wrong}"].wrong`).count() === 1, "wrong choice not marked");
    await q.locator(`.quiz-choice[data-letter="${right}"]`).click();
    fb = await q.locator(".quiz-feedback").textContent();
    assert(fb === "Right.", `right answer feedback: ${fb}`);
    assert(await q.locator(".quiz-explain").isVisible(), "explanation hidden after answering");
  });

  await test("the answered state survives a reload", async () => {
    await page.reload();
    const q = page.locator(".quiz-q").first();
    const right = await q.getAttribute("data-answer");
    await q.locator(".quiz-feedback").filter({ hasText: "Right." }).waitFor();
    assert(await q.locator(`.quiz-choice[data-letter="${right}"].right`).count() === 1, "right choice not marked after reload");
    assert(await q.locator(".quiz-explain").isVisible(), "explanation hidden after reload");
  });

  await test("the quiz works from the keyboard (focus a choice, press Space)", async () => {
    const q = page.locator(".quiz-q").nth(1);
    const right = await q.getAttribute("data-answer");
    await q.locator(`.quiz-choice[data-letter="${right}"]`).focus();
    await page.keyboard.press("Space");
    await q.locator(".quiz-feedback").filter({ hasText: "Right." }).waitFor();
  });

  // A sealed quiz: exactly one choice is right, and only it shows the
  // explanation; in the instructor's book that is the data-answer letter
  // and the same explanation.  Once with WebCrypto (file:// is a secure
  // context in Chromium), once without it (the page's own SHA-256).
  for (const mode of ["WebCrypto", "the page's own SHA-256"]) {
    if (!sealedSite) break;
    await test(`a sealed quiz checks answers with ${mode}, never showing the key`, async () => {
      const sp = await context.newPage();
      if (mode !== "WebCrypto")
        await sp.addInitScript(() => { Object.defineProperty(window.crypto, "subtle", { value: undefined }); });
      const name = fs.readdirSync(sealedSite).filter((f) => /^\d\d-.*\.html$/.test(f)).sort()
        .find((f) => fs.readFileSync(path.join(sealedSite, f), "utf8").includes("data-answer-key"));
      assert(name, "no sealed quiz in the sealed book");
      const html = fs.readFileSync(path.join(sealedSite, name), "utf8");
      assert(!/data-answer="/.test(html), "a sealed page holds a plain answer");
      await sp.goto(pathToFileURL(path.join(sealedSite, name)).href);
      if (mode !== "WebCrypto")
        assert(await sp.evaluate(() => !window.crypto.subtle), "WebCrypto still there");
      const q = sp.locator(".quiz-q").first();
      const letters = await q.locator(".quiz-choice").evaluateAll((bs) => bs.map((b) => b.dataset.letter));
      const right = [];
      for (const l of letters) {
        await q.locator(`.quiz-choice[data-letter="${l}"]`).click();
        await sp.waitForFunction(([el, l]) => el.querySelector(`.quiz-choice[data-letter="${l}"]`)
          .getAttribute("aria-pressed") === "true" && el.dataset.checked, [await q.elementHandle(), l]);
        const fb = await q.locator(".quiz-feedback").textContent();
        const shown = await q.locator(".quiz-explain").isVisible();
        if (fb === "Right.") { assert(shown, "right, but no explanation"); right.push(l); }
        else assert(/Not quite/.test(fb) && !shown && !/the answer is/.test(fb), `wrong answer: ${fb}`);
      }
      assert(right.length === 1, `right choices: ${right}`);
      const plain = fs.existsSync(path.join(site, name)) ? fs.readFileSync(path.join(site, name), "utf8") : "";
      const m = plain.match(/<li class="quiz-q" data-answer="([a-f])"/);
      if (m) {
        assert(m[1] === right[0], `sealed right answer ${right[0]}, the key says ${m[1]}`);
        const ex = plain.match(/<div class="quiz-explain" hidden>([\s\S]*?)<\/div>/)[1].replace(/<[^>]+>/g, "").trim();
        const got = (await q.locator(".quiz-explain").textContent()).trim();
        assert(got === ex, `explanation "${got}", expected "${ex}"`);
      }
      await sp.close();
    });
  }

  await test("search finds a section and its result opens that section", async () => {
    await page.goto(url("index.html"));
    // A section whose title is unique in the book: search for its title.
    const target = await page.evaluate(() => {
      const idx = window.GILWB_SEARCH;
      const count = {};
      idx.forEach((e) => { count[e.s.toLowerCase()] = (count[e.s.toLowerCase()] || 0) + 1; });
      return idx.filter((e) => e.s && count[e.s.toLowerCase()] === 1 && e.t.length > 40 &&
                              !/quiz/i.test(e.s)).pop();
    });
    assert(target, "no section to search for");
    await page.locator("#search").fill(target.s);
    const firstHit = page.locator("#search-results a").first();
    await firstHit.waitFor();
    const href = await firstHit.getAttribute("href");
    assert(href === target.u, `first result ${href}, expected ${target.u}`);
    await firstHit.click();
    await page.waitForURL((u) => u.href.endsWith(target.u));
    const id = target.u.split("#")[1];
    const heading = page.locator(`[id="${id}"]`);
    assert((await heading.textContent()).includes(target.s), "the section is not the one found");
    assert(await heading.isVisible(), "the section is not visible");
  });

  await test("the / key focuses search and Enter opens the first result", async () => {
    await page.goto(url(first));
    await page.keyboard.press("/");
    assert(await page.evaluate(() => document.activeElement.id) === "search", "search not focused");
    const word = await page.evaluate(() => window.GILWB_SEARCH[window.GILWB_SEARCH.length - 1].s);
    await page.keyboard.type(word);
    await page.locator("#search-results a").first().waitFor();
    await page.keyboard.press("Enter");
    await page.waitForURL((u) => u.hash.length > 1);
  });

  if (chapters.length >= 2) {
    await test("previous/next links and the arrow keys turn pages", async () => {
      await page.goto(url(chapters[0]));
      await page.locator('.pager a[rel="next"]').click();
      await page.waitForURL((u) => u.pathname.endsWith(chapters[1]));
      await page.keyboard.press("ArrowLeft");
      await page.waitForURL((u) => u.pathname.endsWith(chapters[0]));
      await page.keyboard.press("ArrowRight");
      await page.waitForURL((u) => u.pathname.endsWith(chapters[1]));
      await page.locator('.pager a[rel="prev"]').click();
      await page.waitForURL((u) => u.pathname.endsWith(chapters[0]));
    });
  }

  await test("arrow keys do nothing while typing in the search box", async () => {
    await page.goto(url(chapters[0]));
    await page.locator("#search").fill("gil");
    await page.keyboard.press("ArrowRight");
    await page.waitForTimeout(300);
    assert(page.url().endsWith(chapters[0]), `moved to ${page.url()}`);
  });

  await test("every heading anchor links to itself", async () => {
    await page.goto(url(chapters[chapters.length - 1]));
    const bad = await page.evaluate(() =>
      [...document.querySelectorAll("h1[id],h2[id],h3[id]")]
        .filter((h) => h.querySelector("a.anchor").getAttribute("href") !== "#" + h.id)
        .map((h) => h.id));
    assert(bad.length === 0, `bad anchors: ${bad}`);
  });

  // A chapter with a diagram if there is one, to see it in both schemes.
  let shotPage = chapters[0];
  for (const c of chapters)
    if (fs.readFileSync(path.join(site, c), "utf8").includes('class="diagram"')) { shotPage = c; break; }
  const bg = {};
  for (const scheme of ["light", "dark"]) {
    await test(`screenshot of ${shotPage} in ${scheme} mode`, async () => {
      await page.emulateMedia({ colorScheme: scheme });
      await page.goto(url(shotPage));
      bg[scheme] = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
      await page.screenshot({ path: path.join(shots, `chapter-${scheme}.png`) });
      await page.screenshot({ path: path.join(shots, `chapter-${scheme}-full.png`), fullPage: true });
    });
  }
  await test("dark mode changes the page's colours", async () => {
    assert(bg.light && bg.dark && bg.light !== bg.dark, `light ${bg.light}, dark ${bg.dark}`);
  });
  await page.emulateMedia({ colorScheme: "light" });

  await test("on a phone: no sideways scrolling, and the menu opens the chapter list", async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    await page.goto(url(shotPage));
    const wide = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert(wide <= 1, `page is ${wide}px wider than the screen`);
    assert(await page.locator(".menu").isVisible(), "no menu button");
    await page.locator(".menu").click();
    await page.waitForFunction(() => document.querySelector(".sidebar").getBoundingClientRect().left >= 0);
    await page.screenshot({ path: path.join(shots, "chapter-phone-menu.png") });
    await page.locator(".menu").click();
    await page.waitForFunction(() => document.querySelector(".sidebar").getBoundingClientRect().right <= 0);
    await page.screenshot({ path: path.join(shots, "chapter-phone.png") });
  });
} catch (e) {
  failed++;
  console.log(`not ok ${++n} - the browser session: ${e}`);
} finally {
  await context.close();
  fs.rmSync(profile, { recursive: true, force: true });
}
console.log(`# ${n} tests, ${failed} failed; screenshots in ${shots}`);
process.exit(failed ? 1 : 0);
