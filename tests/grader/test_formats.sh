#!/usr/bin/env bash
# test_formats.sh - every report format is parsed back and checked:
# json (schema 1: fields, figures, the SVG chart), JUnit XML (well-formed,
# counts), TAP (plan and lines), Gradescope results.json (its fields).
. "$(dirname "$0")/lib.sh"
export GRADER_COURSE=$FIXTURE
SOL=$FIXTURE/solutions/90
"$GRADER" submit 90 --from "$SOL" --no-record --format json -o "$WORK/ref.json" 2>/dev/null
check "json: reference graded (exit 1: quiz not answered)" [ $? -eq 1 ]
check "json: schema, fields, pattern figures and SVG chart" python3 - "$WORK/ref.json" <<'PY'
import json, sys, xml.etree.ElementTree as ET
r = json.load(open(sys.argv[1]))
assert r["schema"] == 1 and r["exercise"] == "90" and r["slug"] == "fixture-waits"
for k in ("title", "started_at", "finished_at", "seconds", "score", "max_score", "passed", "checks", "machine"):
    assert k in r, k
names = [c["name"] for c in r["checks"]]
assert names[:3] == ["build", "adds", "waits_release_the_gil"], names
for c in r["checks"]:
    for k in ("name", "kind", "status", "score", "max_score", "reason", "output", "seconds", "hidden"):
        assert k in c, (c["name"], k)
    assert c["status"] in ("pass", "fail", "skip", "error")
    assert 0 <= c["score"] <= c["max_score"] or c["max_score"] == 0
assert abs(sum(c["score"] for c in r["checks"]) - r["score"]) < 1e-9
p = [c for c in r["checks"] if c["kind"] == "pattern"][0]
f = p["figures"]
for k in ("expect", "workers", "rounds", "cores", "capacity", "speedup", "baseline_ms", "variant_ms",
          "baseline_runs_ms", "variant_runs_ms", "counters", "timing", "mechanism"):
    assert k in f, k
assert p["status"] == "pass", p["reason"]
assert len(f["baseline_runs_ms"]) == f["rounds"] >= 3  # 3 when a pass is settled early
svg = ET.fromstring(p["chart_svg"])
assert svg.tag.endswith("svg")
q = [c for c in r["checks"] if c["name"] == "quiz"][0]
assert q["status"] == "fail" and "grader quiz 90" in q["reason"]
PY

# The starter: partial credit with reasons, in every format.
for fmt in junit tap gradescope; do
    "$GRADER" submit 90 --no-record --skip patterns --format $fmt -o "$WORK/starter.$fmt" 2>/dev/null
    check "$fmt: starter graded, exit 1" [ $? -eq 1 ]
done
check "junit: well-formed XML, counts match the testcases" python3 - "$WORK/starter.junit" <<'PY'
import sys, xml.etree.ElementTree as ET
root = ET.parse(sys.argv[1]).getroot()
assert root.tag == "testsuites"
suite = root.find("testsuite")
cases = suite.findall("testcase")
assert int(suite.get("tests")) == len(cases) >= 4
fails = [c for c in cases if c.find("failure") is not None]
assert int(suite.get("failures")) == len(fails) >= 2
adds = [c for c in cases if c.get("name") == "adds"][0]
assert "returned 2, expected 5" in adds.find("failure").get("message")
PY
check "tap: version, plan and one line per check" python3 - "$WORK/starter.tap" <<'PY'
import re, sys
lines = open(sys.argv[1]).read().splitlines()
assert lines[0] == "TAP version 13"
m = re.fullmatch(r"1\.\.(\d+)", lines[1]); n = int(m.group(1))
results = [l for l in lines if re.match(r"(not )?ok \d+ - ", l)]
assert len(results) == n and n >= 4
assert any(l.startswith("not ok") and l.endswith("- adds") for l in results)
PY
check "gradescope: results.json fields" python3 - "$WORK/starter.gradescope" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
for k in ("score", "execution_time", "tests"):
    assert k in r, k
assert r["score"] < sum(t["max_score"] for t in r["tests"])
for t in r["tests"]:
    for k in ("name", "score", "max_score", "status", "output", "visibility"):
        assert k in t, (t, k)
    assert t["status"] in ("passed", "failed") and t["visibility"] in ("visible", "after_published")
adds = [t for t in r["tests"] if t["name"] == "adds"][0]
assert adds["status"] == "failed" and adds["score"] == 0 and "expected 5" in adds["output"]
PY
# Patterns that must fail: the starter's waits hold the GIL (no overlap),
# and a `scales` pattern whose variant runs serially.
C=$(fresh_course)
sed -i 's/variant: \[freespin, "2"\]/variant: [spin, "2"]/' "$C/exercises/90/exercise.yaml"
GRADER_COURSE=$C "$GRADER" submit 90 --no-record --skip sanitizers --skip quiz --format json \
    -o "$WORK/pat.json" 2>/dev/null
pattern() { python3 -c 'import json,sys
c=[c for c in json.load(open(sys.argv[1]))["checks"] if c["name"]==sys.argv[2]][0]
print(c["status"], c["reason"])' "$WORK/pat.json" "$1"; }
match "overlaps: waits that hold the GIL fail" "$(pattern waits_overlap)" 'fail expected `overlaps` but *the waits did not overlap*'
match "scales: a serial variant fails" "$(pattern free_threads_scale)" 'fail expected `scales` but *serialised*'

"$GRADER" submit 90 --no-record --skip patterns --skip sanitizers --skip quiz >"$WORK/text" 2>&1
check "text: verdict lines and a closing score line" grep -q '^score 0/3: NOT PASSED YET' "$WORK/text"
check "text: no colour when not a terminal" bash -c "! grep -q $'\x1b' '$WORK/text'"
finish
