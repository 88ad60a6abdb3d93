"""validate.py SCHEMA FILE - checks a JSON file against a JSON Schema.

Uses the jsonschema package when it is installed; otherwise a small
validator of the keywords the schemas here use (type, enum, required,
properties, additionalProperties, items, anyOf, minimum).  Prints the
first problem and exits 1, or exits 0.
"""
import json
import sys

TYPES = {"object": dict, "array": list, "string": str, "integer": int,
         "number": (int, float), "boolean": bool}


def problems(s, v, at="$"):
    t = s.get("type")
    if t:
        ts = t if isinstance(t, list) else [t]
        if not any(isinstance(v, TYPES[x]) and not (x in ("integer", "number") and isinstance(v, bool))
                   for x in ts):
            yield "%s: %r is not of type %s" % (at, v, t)
            return
    if "enum" in s and v not in s["enum"]:
        yield "%s: %r is not one of %s" % (at, v, s["enum"])
    if "minimum" in s and isinstance(v, (int, float)) and v < s["minimum"]:
        yield "%s: %r < %s" % (at, v, s["minimum"])
    if isinstance(v, dict):
        for k in s.get("required", []):
            if k not in v:
                yield "%s: %s is required" % (at, k)
        props = s.get("properties", {})
        for k, x in v.items():
            if k in props:
                yield from problems(props[k], x, "%s.%s" % (at, k))
            elif s.get("additionalProperties") is False:
                yield "%s: %s is not allowed" % (at, k)
    if isinstance(v, list) and "items" in s:
        for i, x in enumerate(v):
            yield from problems(s["items"], x, "%s[%d]" % (at, i))
    if "anyOf" in s and not any(not list(problems(x, v, at)) for x in s["anyOf"]):
        yield "%s: matches none of anyOf" % at


schema, doc = json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))
try:
    import jsonschema
    jsonschema.validate(doc, schema)
except ImportError:
    p = next(problems(schema, doc), None)
    if p:
        print(p)
        sys.exit(1)
except Exception as e:  # jsonschema.ValidationError
    print(e)
    sys.exit(1)
