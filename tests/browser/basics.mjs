// basics.mjs - every page loads offline; the quiz, search, keys, anchors,
// light and dark, and the phone layout work.
import fs from "node:fs";
import path from "node:path";
import { test, assert, chapterPages, DESK, PHONE } from "./lib.mjs";

export default async function basics(s) {
  const { page, url, site, errors, outside } = s;
  const pages = fs.readdirSync(site).filter((f) => f.endsWith(".html")).sort();
  const chapters = chapterPages(site);

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

  await test("the quiz works from the keyboard alone (Tab to a choice, Space answers it)", async () => {
    await page.goto(url(first));
    await page.evaluate(() => localStorage.clear());
    await page.reload();
    const q = page.locator(".quiz-q").nth(1);
    const right = await q.getAttribute("data-answer");
    // Tab from the first choice of the quiz: every choice is a stop, in order
    await page.locator(".quiz-choice").first().focus();
    const want = await page.evaluate((r) => {
      const all = [...document.querySelectorAll(".quiz-choice")];
      const li = document.querySelectorAll(".quiz-q")[1];
      return all.indexOf(li.querySelector(`.quiz-choice[data-letter="${r}"]`));
    }, right);
    for (let i = 0; i < want; i++) await page.keyboard.press("Tab");
    const focused = await page.evaluate(() => document.activeElement.dataset.letter);
    assert(focused === right, `Tab reached choice ${focused}, expected ${right}`);
    await page.keyboard.press("Space");
    await q.locator(".quiz-feedback").filter({ hasText: "Right." }).waitFor();
    assert(page.url().endsWith(first), "the page turned");
  });

  await test("search finds a section and its result opens that section", async () => {
    await page.goto(url("index.html"));
    // A section whose title is unique in the book: search for its title.
    const target = await page.evaluate(() => {
      const idx = window.GILWB_SEARCH;
      const count = {};
      idx.forEach((e) => { count[e.s.toLowerCase()] = (count[e.s.toLowerCase()] || 0) + 1; });
      return idx.filter((e) => e.s && count[e.s.toLowerCase()] === 1 && e.t.length > 40 &&
                              !/quiz|exercise|files/i.test(e.s)).pop();
    });
    assert(target, "no section to search for");
    await page.locator("#search").fill(target.s);
    const firstHit = page.locator("#search-results a").first();
    await firstHit.waitFor();
    const href = await firstHit.getAttribute("href");
    assert(href.replace(/\?q=[^#]*/, "") === target.u, `first result ${href}, expected ${target.u}`);
    await firstHit.click();
    await page.waitForURL((u) => u.href.endsWith("#" + target.u.split("#")[1]));
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

  // The chapter with a timeline (else one with a diagram), in both schemes,
  // on a desktop and on a phone.
  let shotPage = chapters[0];
  for (const c of chapters) {
    const html = fs.readFileSync(path.join(site, c), "utf8");
    if (html.includes('class="timeline"')) { shotPage = c; break; }
    if (html.includes('class="diagram"') && shotPage === chapters[0]) shotPage = c;
  }
  s.shotPage = shotPage;
  const bg = {};
  for (const scheme of ["light", "dark"]) {
    await test(`screenshots of ${shotPage} in ${scheme} mode, desktop and phone`, async () => {
      await page.emulateMedia({ colorScheme: scheme });
      for (const [vp, tag] of [[DESK, "desk"], [PHONE, "phone"]]) {
        await page.setViewportSize(vp);
        await page.goto(url(shotPage));
        if (tag === "desk") bg[scheme] = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
        await s.shot(`chapter-${tag}-${scheme}`);
        await s.shot(`chapter-${tag}-${scheme}-full`, { fullPage: true });
      }
      await page.setViewportSize(DESK);
    });
  }
  await test("dark mode changes the page's colours", async () => {
    assert(bg.light && bg.dark && bg.light !== bg.dark, `light ${bg.light}, dark ${bg.dark}`);
  });
  await page.emulateMedia({ colorScheme: "light" });

  await test("on a phone: no sideways scrolling, and the menu opens the chapter list", async () => {
    await page.setViewportSize(PHONE);
    await page.goto(url(shotPage));
    const wide = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert(wide <= 1, `page is ${wide}px wider than the screen`);
    assert(await page.locator(".menu").isVisible(), "no menu button");
    await page.locator(".menu").click();
    await page.waitForFunction(() => document.querySelector(".sidebar").getBoundingClientRect().left >= 0);
    await s.shot("chapter-phone-menu");
    await page.locator(".menu").click();
    await page.waitForFunction(() => document.querySelector(".sidebar").getBoundingClientRect().right <= 0);
    await s.shot("chapter-phone");
    await page.setViewportSize(DESK);
  });
}
