// timeline.mjs - the interactive timeline: keyboard only, pointer and
// finger, its settings, its walk through a hand-over, and what is left of
// it without JavaScript and in print.
import path from "node:path";
import { test, assert, session, svgFileFonts, DESK, PHONE } from "./lib.mjs";

export default async function timeline(s) {
  const { page, url } = s;
  const ch = s.shotPage;
  const detail = () => page.locator(".tl-detail").textContent();
  const about = () => page.locator(".tl-about").textContent();
  const focusIs = (cls) => page.evaluate((c) => document.activeElement.classList.contains(c), cls);

  // Tabs forward until an element with class cls has focus (at most n stops).
  async function tabTo(cls, n = 60) {
    for (let i = 0; i < n; i++) {
      if (await focusIs(cls)) return;
      await page.keyboard.press("Tab");
    }
    throw new Error(`Tab never reached .${cls}`);
  }

  await test("the timeline replaces the static figure and draws the book's run", async () => {
    await page.setViewportSize(DESK);
    await page.goto(url(ch));
    const fig = page.locator("figure.timeline");
    assert(await fig.evaluate((f) => f.classList.contains("is-live")), "the timeline did not start");
    assert(await fig.locator(".tl-static").isHidden(), "the static figure still shows");
    assert(await fig.locator(".tl-svg rect.tl-hold").count() > 4, "no GIL holds drawn");
    assert(/switch interval 5 ms/.test(await about()), `about: ${await about()}`);
    await fig.scrollIntoViewIfNeeded();
    await s.shot("timeline-1366");
  });

  await test("keyboard only: settings, the time cursor, every event, and the steps", async () => {
    await page.goto(url(ch));
    await page.locator("figure.timeline").scrollIntoViewIfNeeded();
    await page.locator(".tl-policy").focus(); // the first control; from here on, keys only
    await tabTo("tl-interval");
    const before = await about();
    await page.keyboard.press("ArrowDown"); // 5 ms -> 20 ms
    await page.waitForFunction((b) => document.querySelector(".tl-about").textContent !== b, before);
    assert(/switch interval 20 ms/.test(await about()), `about after ArrowDown: ${await about()}`);
    await page.keyboard.press("ArrowUp");
    await page.keyboard.press("ArrowUp"); // -> 1 ms
    await page.waitForFunction(() => /interval 1 ms/.test(document.querySelector(".tl-about").textContent));
    await page.keyboard.press("ArrowDown"); // back to 5 ms
    await tabTo("tl-time");
    await page.keyboard.press("Home");
    await page.keyboard.press("ArrowRight");
    const t1 = await detail();
    assert(/^At \d/.test(t1), `detail: ${t1}`);
    await page.keyboard.press("End");
    assert((await detail()) !== t1, "End did not move the cursor");
    await page.keyboard.press("Home");
    // next event, again and again: every kind of moment is described
    await tabTo("tl-next");
    const seen = new Set();
    for (let i = 0; i < 60; i++) {
      await page.keyboard.press("Enter");
      const d = await detail();
      for (const [k, re] of [["take", /takes the GIL/], ["drop", /drops the GIL \(held/], ["forced", /forced drop/],
                             ["wait", /asks for the GIL/], ["request", /sets the drop request/]])
        if (re.test(d)) seen.add(k);
    }
    for (const k of ["take", "drop", "forced", "wait", "request"]) assert(seen.has(k), `never described a ${k}: ${[...seen]}`);
    assert(await focusIs("tl-next"), "focus left the Next button");
    // the steps, with the keyboard
    await tabTo("tl-step");
    await page.keyboard.press("Enter");
    let text = await page.locator(".tl-step-text").textContent();
    assert(/Step 1 of 4/.test(text), `step text: ${text}`);
    const lit = await page.evaluate(() => [...document.querySelectorAll(".diagram svg g.lit title")].map((t) => t.textContent));
    assert(lit.includes("t2") && lit.includes("t2->gil"), `lit: ${lit}`);
    const mainLit = await page.evaluate(() => document.querySelectorAll("figure.diagram > .fig-scroll > svg g.lit").length);
    assert(mainLit > 0, "the chapter's own diagram is not lit");
    for (let k = 2; k <= 4; k++) {
      await page.keyboard.press("Enter");
      text = await page.locator(".tl-step-text").textContent();
      assert(new RegExp(`Step ${k} of 4`).test(text), `step ${k}: ${text}`);
      if (k === 3) assert(/forced drop/.test(await detail()), `step 3's detail: ${await detail()}`);
      if (k === 4) assert(/takes the GIL/.test(await detail()), `step 4's detail: ${await detail()}`);
      assert(!/does not happen/.test(text), `step ${k} found no event`);
    }
    await page.locator("figure.timeline .tl-stepper").scrollIntoViewIfNeeded();
    await s.shot("timeline-step4");
    await page.keyboard.press("Enter"); // Done
    assert(await page.evaluate(() => document.querySelectorAll(".diagram svg g.lit").length) === 0, "Done left parts lit");
  });

  await test("the steps light the diagram's parts as the chapter names them, in order", async () => {
    await page.goto(url(ch));
    const want = await page.evaluate(() => [...document.querySelectorAll(".tl-steps li")].map((li) => li.dataset.parts.split(" ")));
    const times = [];
    for (let k = 0; k < want.length; k++) {
      await page.locator(".tl-step").click();
      const lit = await page.evaluate(() => [...new Set([...document.querySelectorAll(".tl-diagram svg g.lit title")].map((t) => t.textContent))]);
      assert(want[k].every((p) => lit.includes(p)) && lit.length === want[k].length, `step ${k + 1}: lit ${lit}, want ${want[k]}`);
      times.push(Number(await page.locator(".tl-time").inputValue()));
      if (k === 1) await s.shot("timeline-step2");
    }
    for (let k = 1; k < times.length; k++) assert(times[k] >= times[k - 1], `step ${k + 1} goes back in time: ${times}`);
  });

  await test("the policy selector swaps in the ticks and no-GIL traces", async () => {
    await page.goto(url(ch));
    await page.locator(".tl-policy").selectOption("none");
    assert(await page.locator(".tl-interval").isDisabled(), "no GIL: the interval can still be chosen");
    assert(/no GIL/.test(await about()), `about: ${await about()}`);
    // no GIL: the two threads run at the same moments
    const overlap = await page.evaluate(() => {
      const r = [...document.querySelectorAll(".tl-svg rect.tl-hold")].map((e) => [+e.getAttribute("x"), +e.getAttribute("x") + +e.getAttribute("width"), +e.getAttribute("y")]);
      return r.some((a) => r.some((b) => a[2] !== b[2] && a[0] < b[1] && b[0] < a[1]));
    });
    assert(overlap, "no GIL, yet no two lanes run at once");
    await page.locator("figure.timeline").scrollIntoViewIfNeeded();
    await s.shot("timeline-none");
    await page.locator(".tl-policy").selectOption("ticks");
    assert(/ticks policy/.test(await about()), `about: ${await about()}`);
    await s.shot("timeline-ticks");
  });

  await test("hovering and dragging on the plot move the cursor", async () => {
    await page.goto(url(ch));
    const plot = page.locator(".tl-plot");
    await plot.scrollIntoViewIfNeeded();
    const box = await plot.boundingBox();
    await page.mouse.move(box.x + box.width * 0.8, box.y + box.height / 2);
    const v1 = Number(await page.locator(".tl-time").inputValue());
    await page.mouse.move(box.x + box.width * 0.3, box.y + box.height / 2);
    const v2 = Number(await page.locator(".tl-time").inputValue());
    assert(v1 > v2, `hover: ${v1} then ${v2}`);
  });

  await test("on a phone: the timeline fits, and a finger scrubs it", async () => {
    const t = await session(s.site, s.shots, { hasTouch: true });
    try {
      await t.page.setViewportSize(PHONE);
      await t.page.goto(t.url(ch));
      const plot = t.page.locator(".tl-plot");
      await plot.scrollIntoViewIfNeeded();
      const wide = await t.page.evaluate(() => document.querySelector("figure.timeline").scrollWidth - document.querySelector("figure.timeline").clientWidth);
      assert(wide <= 1, `the timeline is ${wide}px wider than the phone`);
      const box = await plot.boundingBox();
      const before = Number(await t.page.locator(".tl-time").inputValue());
      await t.page.touchscreen.tap(box.x + box.width * 0.9, box.y + box.height / 3);
      const after = Number(await t.page.locator(".tl-time").inputValue());
      assert(after > before, `a tap did not move the cursor (${before} -> ${after})`);
      await t.page.locator(".tl-step").tap();
      await t.page.locator("figure.timeline").scrollIntoViewIfNeeded();
      await t.shot("timeline-phone");
      await t.page.emulateMedia({ colorScheme: "dark" });
      await t.shot("timeline-phone-dark");
      assert(t.errors.length === 0, t.errors.join("; "));
    } finally {
      await t.close();
    }
  });

  await test("without JavaScript: the static figure (labels 12 px on a phone) and the steps as a list", async () => {
    const t = await session(s.site, s.shots, { javaScriptEnabled: false });
    try {
      for (const vp of [PHONE, DESK]) {
        await t.page.setViewportSize(vp);
        await t.page.goto(t.url(ch));
        const img = t.page.locator("figure.timeline .tl-static img");
        assert(await img.isVisible(), "no static figure");
        assert(await t.page.locator("figure.timeline .tl-steps li").first().isVisible(), "no steps");
        const src = await img.getAttribute("src");
        const f = svgFileFonts(path.join(s.site, src));
        const w = await img.evaluate((i) => i.getBoundingClientRect().width);
        const px = f.min * w / f.width;
        assert(px >= 11.95, `static figure labels ${px.toFixed(1)} px at ${vp.width} px`);
      }
      await t.page.setViewportSize(PHONE);
      await t.page.locator("figure.timeline").scrollIntoViewIfNeeded();
      await t.shot("timeline-nojs-phone");
    } finally {
      await t.close();
    }
  });

  await test("in print: the static figure and the steps, not the controls", async () => {
    await page.setViewportSize(DESK);
    await page.goto(url(ch));
    await page.emulateMedia({ media: "print" });
    assert(await page.locator("figure.timeline .tl-live").isHidden(), "controls in print");
    assert(await page.locator("figure.timeline .tl-static img").isVisible(), "no figure in print");
    assert(await page.locator("figure.timeline .tl-steps").isVisible(), "no steps in print");
    await page.emulateMedia({ media: "screen" });
  });
}
