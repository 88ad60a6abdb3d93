// similarity.mjs - the Node side of `grader similarity` (grader/similarity.c).
//
//   node similarity.mjs --ignore STARTER --out FILE.html|FILE.csv --top N FILE...
//
// Each FILE is one student's code (the grader concatenates a student's
// files into one, named <student>.c).  Dolos (@dodona/dolos-lib, pinned in
// package.json) tokenizes them with tree-sitter's C grammar and compares
// fingerprints (winnowing, as in MOSS); fingerprints that also occur in the
// --ignore file (the exercise's starter code) are left out, so shared
// boilerplate does not make every pair look alike.  Pairs are ranked by
// Dolos's similarity: the share of both files' fingerprints they have in
// common.  The table also gives the longest common fragment and the total
// overlap, in tokens (k-grams).
import { Dolos } from "@dodona/dolos-lib";
import { writeFileSync } from "node:fs";
import { basename } from "node:path";

const args = process.argv.slice(2);
let ignore, out, top = 50;
const files = [];
for (let i = 0; i < args.length; i++) {
  if (args[i] === "--ignore") ignore = args[++i];
  else if (args[i] === "--out") out = args[++i];
  else if (args[i] === "--top") top = Number(args[++i]);
  else files.push(args[i]);
}
if (!out || files.length < 2) {
  console.error("usage: similarity.mjs [--ignore STARTER] --out FILE.html|.csv [--top N] FILE FILE...");
  process.exit(2);
}

const dolos = new Dolos({ language: "c" });
const report = await dolos.analyzePaths(files, ignore);
const name = (f) => basename(f.path).replace(/\.c$/, "");
const pairs = report.allPairs()
  .map((p) => ({ left: name(p.leftFile), right: name(p.rightFile), similarity: p.similarity,
                 longest: p.longest, overlap: p.overlap }))
  .sort((a, b) => b.similarity - a.similarity || b.longest - a.longest)
  .slice(0, top);

const esc = (s) => String(s).replace(/[&<>"]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[c]);
if (out.endsWith(".csv")) {
  const q = (s) => /[",\n]/.test(s) ? '"' + s.replace(/"/g, '""') + '"' : s;
  writeFileSync(out, "rank,left,right,similarity,longest_fragment,overlap\n" +
    pairs.map((p, i) => [i + 1, q(p.left), q(p.right), p.similarity.toFixed(4), p.longest, p.overlap].join(",")).join("\n") + "\n");
} else {
  const rows = pairs.map((p, i) =>
    `<tr><td>${i + 1}</td><td>${esc(p.left)}</td><td>${esc(p.right)}</td>` +
    `<td class="n">${(100 * p.similarity).toFixed(1)}%</td><td class="n">${p.longest}</td>` +
    `<td class="n">${p.overlap}</td></tr>`).join("\n");
  writeFileSync(out, `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Similarity: ${files.length} copies</title>
<style>body{font:15px/1.4 system-ui,sans-serif;margin:2em;max-width:60em}
table{border-collapse:collapse}td,th{padding:.3em .8em;border-bottom:1px solid #ddd;text-align:left}
.n{text-align:right;font-variant-numeric:tabular-nums}</style></head><body>
<h1>Code similarity, ${files.length} copies</h1>
<p>Pairs ranked by Dolos's similarity (the share of fingerprints two copies have in common),
with the starter code left out${ignore ? "" : " (no starter given)"}. A high score is a reason to read both copies side by side,
not a verdict: short exercises leave little room to differ.</p>
<table><thead><tr><th>#</th><th>copy</th><th>copy</th><th class="n">similarity</th>
<th class="n">longest fragment</th><th class="n">overlap</th></tr></thead><tbody>
${rows}
</tbody></table>
<p>Fragments and overlap count k-grams of tokens. Made by <code>grader similarity</code> with @dodona/dolos-lib.</p>
</body></html>
`);
}
console.log(`${pairs.length} pairs written to ${out}`);
