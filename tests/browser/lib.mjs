// lib.mjs - what the browser test groups share: the Chromium session, TAP
// lines, file:// URLs, screenshots and a few measurements taken in the page.
//
// Every wait has a generous timeout: the tests must pass on a busy 2-core
// machine.  Nothing here asserts on time.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { execFileSync } from "node:child_process";
import { createRequire } from "node:module";
import { pathToFileURL } from "node:url";

export const require = createRequire(path.resolve(process.env.NODE_PATH, "..", "package.json"));
const { chromium } = require("playwright-core");

export const TIMEOUT = 30000;
export const DESK = { width: 1366, height: 900 };
export const PHONE = { width: 390, height: 844 };

let n = 0, failed = 0;
export async function test(name, fn) {
  n++;
  try {
    await fn();
    console.log(`ok ${n} - ${name}`);
  } catch (e) {
    failed++;
    console.log(`not ok ${n} - ${name}`);
    for (const line of String((e && e.stack) || e).split("\n").slice(0, 8)) console.log(`#   ${line}`);
  }
}
export function counts() { return { n, failed }; }
export function fail(msg) { failed++; console.log(`not ok ${++n} - ${msg}`); }

export function assert(cond, msg) {
  if (!cond) throw new Error(msg);
}

// The site, the screenshots, and a browser whose every request that is not
// a local file is recorded and refused.
export async function session(site, shots, { javaScriptEnabled = true, hasTouch = false } = {}) {
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), "gilwb-chromium-"));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
    headless: true,
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
           "--disable-background-networking", "--disable-component-update", "--disable-sync"],
    viewport: DESK,
    javaScriptEnabled,
    hasTouch,
    timeout: 120000,
  });
  context.setDefaultTimeout(TIMEOUT);
  const outside = [];
  await context.route("**/*", (route) => {
    const u = route.request().url();
    if (u.startsWith("file:") || u.startsWith("data:")) return route.continue();
    outside.push(u);
    return route.abort();
  });
  const page = context.pages()[0] || await context.newPage();
  const errors = [];
  page.on("console", (m) => { if (m.type() === "error") errors.push(m.text()); });
  page.on("pageerror", (e) => errors.push(String(e)));
  page.on("requestfailed", (r) => errors.push(`failed: ${r.url()}`));
  const url = (name) => pathToFileURL(path.join(site, name)).href;
  return {
    context, page, errors, outside, url, site, shots,
    async shot(name, opts = {}) {
      await page.screenshot({ path: path.join(shots, `${name}.png`), ...opts });
    },
    async close() {
      await context.close();
      fs.rmSync(profile, { recursive: true, force: true });
    },
  };
}

// Runs a command of the workbook (grader, sitedata, a demo); returns stdout.
export function run(cmd, args, env = {}) {
  return execFileSync(cmd, args, { env: { ...process.env, ...env }, encoding: "utf8",
                                   stdio: ["ignore", "pipe", "pipe"], timeout: 600000 });
}

// The chapter pages of the site, in order.
export function chapterPages(site) {
  return fs.readdirSync(site).filter((f) => /^\d\d-.*\.html$/.test(f)).sort();
}

// In the page: the blocks that may be wider than the text (code, tables,
// figures), with whether they overflow and whether they say so.
export function blocks(page) {
  return page.evaluate(() => [...document.querySelectorAll(
    "main pre.code, main .table-wrap, main .fig-scroll, main table:not(.table-wrap > table)")]
    .filter((el) => el.offsetParent !== null)
    .map((el) => {
      const hint = el.previousElementSibling;
      return {
        what: el.className + " " + (el.textContent || "").trim().slice(0, 40),
        over: el.scrollWidth - el.clientWidth,
        scrolls: el.classList.contains("scrolls"),
        focusable: el.tabIndex === 0,
        hint: !!(hint && hint.classList.contains("scroll-hint") && hint.offsetParent !== null),
        overflowX: getComputedStyle(el).overflowX,
        right: el.getBoundingClientRect().right,
      };
    }));
}

// In the page: the rendered size, in CSS px, of every text in a visible
// inline SVG figure (the font size times the SVG's scale on screen).
export function svgTextSizes(page) {
  return page.evaluate(() => [...document.querySelectorAll("main svg text")]
    .filter((t) => t.getBoundingClientRect().width > 0 && t.closest("svg").getBoundingClientRect().width > 0)
    .map((t) => {
      const m = t.getScreenCTM();
      const px = parseFloat(getComputedStyle(t).fontSize) * Math.hypot(m.a, m.b);
      return { text: t.textContent.trim().slice(0, 30), px };
    }));
}

// The smallest font size and the viewBox width of an SVG file.
export function svgFileFonts(file) {
  const s = fs.readFileSync(file, "utf8");
  const vb = /viewBox="([\d.\s-]+)"/.exec(s);
  const width = vb ? parseFloat(vb[1].trim().split(/\s+/)[2]) : parseFloat(/width="([\d.]+)/.exec(s)[1]);
  const sizes = [...s.matchAll(/font-size(?:="|:)\s*([\d.]+)/g)].map((m) => parseFloat(m[1]));
  return { width, min: sizes.length ? Math.min(...sizes) : 16 };
}

// WCAG contrast ratio of two CSS colours "rgb(r, g, b)".
export function contrast(a, b) {
  const lum = (c) => {
    const [r, g, bl] = c.match(/[\d.]+/g).slice(0, 3).map((v) => {
      v /= 255;
      return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4;
    });
    return 0.2126 * r + 0.7152 * g + 0.0722 * bl;
  };
  const [x, y] = [lum(a), lum(b)].sort((p, q) => q - p);
  return (x + 0.05) / (y + 0.05);
}

export function pdfPages(pdf) {
  return run("pdftotext", ["-layout", pdf, "-"]).split("\f");
}
