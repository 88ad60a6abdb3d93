// site.test.mjs SITE_DIR SHOT_DIR [SEALED_DIR] - the built book in headless
// Chromium; SEALED_DIR is the same book with sealed quizzes (a student
// edition's).
//
// Drives Debian's Chromium through playwright-core over file:// pages and
// prints one TAP line per check.  The groups, one file each:
//
//   basics.mjs    every page loads offline; quiz, search, keys, phone menu
//   fixes.mjs     what a real browser showed wrong (issue 16's fix list)
//   timeline.mjs  the interactive GIL timeline, by keyboard, pointer, finger
//   live.mjs      progress after `grader submit`, the reader's figures,
//                 the benchmarks page, all with no rebuild
//   a11y.mjs      axe-core, light and dark; print layout (PDF)
//   sealed.mjs    a student edition's sealed quizzes (SEALED_DIR)
//
// Screenshots of every state go to SHOT_DIR for a person to look at.
// Commands the groups run come from the environment: SITEGEN, GRADER,
// SITEDATA, DEMO03, TRACES03 (test-browser.sh sets them).  ONLY=fixes,timeline
// runs only those groups (basics always runs: the others build on it).
import path from "node:path";
import { session, counts, fail } from "./lib.mjs";
import basics from "./basics.mjs";
import fixes from "./fixes.mjs";
import timeline from "./timeline.mjs";
import live from "./live.mjs";
import a11y from "./a11y.mjs";
import sealed from "./sealed.mjs";

const site = path.resolve(process.argv[2]);
const shots = path.resolve(process.argv[3]);
const sealedSite = process.argv[4] ? path.resolve(process.argv[4]) : null;

const s = await session(site, shots);
try {
  const only = (process.env.ONLY || "").split(",").filter(Boolean);
  const groups = { fixes, timeline, a11y, live, sealed: (s) => sealed(s, sealedSite) };
  await basics(s);
  for (const [name, group] of Object.entries(groups))
    if (!only.length || only.includes(name)) await group(s);
} catch (e) {
  fail(`the browser session: ${e}`);
} finally {
  await s.close();
}
const { n, failed } = counts();
console.log(`# ${n} tests, ${failed} failed; screenshots in ${shots}`);
process.exit(failed ? 1 : 0);
