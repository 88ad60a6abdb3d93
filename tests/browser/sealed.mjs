// sealed.mjs - a student edition's sealed quizzes (`grader release`): exactly
// one choice is right, only it shows the explanation, and no page holds the
// key.  In the instructor's book the right choice is the data-answer letter
// and the explanation is the same.  Checked once with WebCrypto (file:// is
// a secure context in Chromium), once without it (the page's own SHA-256).
import fs from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { test, assert, chapterPages } from "./lib.mjs";

export default async function sealed(s, sealedSite) {
  const { context, site } = s;
  for (const mode of ["WebCrypto", "the page's own SHA-256"]) {
    if (!sealedSite) break;
    await test(`a sealed quiz checks answers with ${mode}, never showing the key`, async () => {
      const sp = await context.newPage();
      if (mode !== "WebCrypto")
        await sp.addInitScript(() => { Object.defineProperty(window.crypto, "subtle", { value: undefined }); });
      const name = chapterPages(sealedSite)
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
}
