#!/usr/bin/env python3
"""Runs `dfdiff parse --json` over the fixture corpus and checks it against the oracle.

For every tests/fixtures/*.json, tests/fixtures/bad/*.json and generated bodies of 100 B,
64 KB, 1 MB and 10 MB (written to $BUILD/corpus), the command is run three ways:
  $DFDIFF parse --json FILE      $DFDIFF parse --json - < FILE      $DFDIFF parse --json < FILE
and each run is compared with tests/extract/oracle.py: the stdout line field by field,
the exit code, and for invalid bodies exit 6, empty stdout and the error kind's text on
stderr. Prints TAP lines ("ok - NAME" / "not ok - NAME" with "#" details); exits 1 if
anything failed. The oracle is checked first against values typed in by hand.

Environment: DFDIFF (default build/dfdiff under the repository root), BUILD (default
build/). Arguments: substrings selecting fixtures by name (default: all);
--oracle-only runs only the oracle's self-checks (no binary needed).
"""

import importlib.util
import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
FIXTURES = os.path.join(ROOT, "tests", "fixtures")
sys.dont_write_bytecode = True  # keep the source tree clean
sys.path.insert(0, HERE)
import oracle  # noqa: E402

_spec = importlib.util.spec_from_file_location("gen_bodies",
                                               os.path.join(FIXTURES, "gen_bodies.py"))
gen_bodies = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(gen_bodies)

GENERATED_SIZES = ("100B", "64KB", "1M", "10M")
RUN_TIMEOUT = 20  # seconds per run; a 10 MB body should take well under one
MAX_DIAG = 25

failures = 0
cases = 0


def tap(ok, name, diags=()):
    global failures, cases
    cases += 1
    if not ok:
        failures += 1
    print("%s - %s" % ("ok" if ok else "not ok", name))
    diags = list(diags)
    for d in diags[:MAX_DIAG]:
        for line in str(d).splitlines() or [""]:
            print("# " + line)
    if len(diags) > MAX_DIAG:
        print("# ... %d more" % (len(diags) - MAX_DIAG))
    sys.stdout.flush()


def read(path):
    with open(path, "rb") as f:
        return f.read()


def fixture(name):
    return os.path.join(FIXTURES, name)


# ======================================================================================
# Oracle self-check: values typed in by hand for specific fixtures
# ======================================================================================

X = "x"
PFX = "WAREHOUSE_PRODUCTION_EU_WEST.ANALYTICS_MARTS_FINANCE.orders_"
HAND = {
    # fixture: {path: expected value, or a set of acceptable values; "exit": set of codes}
    "status-done-identical.json": {
        "exit": {0}, "id": 81205, "status": "done", "result": "identical", "done": True,
        "stats.table_a_row_count": 1048576, "stats.match_ratio": 1, "runtime": 41.25,
        "progress.completed_steps": 9, "table1": "ANALYTICS.PROD.ORDERS"},
    "result-different.json": {"exit": {1}, "stats.diff_pks": 12, "stats.sampled": False,
                              "stats.match_ratio": 0.9987404},
    "result-missing-pks.json": {"exit": {1}},
    "result-bad-pks.json": {"exit": {1}, "stats.diff_duplicate_pks": 3},
    "result-empty.json": {"exit": {0}, "stats.match_ratio": None},
    "result-error.json": {"exit": {2}, "error.type": "QueryTimeout"},
    "result-unknown.json": {"exit": {1}, "result": "partially-different"},
    "result-absent-done.json": {"exit": {2}, "result": None},
    "result-null-done.json": {"exit": {2}},
    "result-while-processing.json": {"exit": {3}, "result": "different"},
    "status-failed.json": {"exit": {2}, "error.type": "ProgrammingError",
                           "progress.completed_steps": 1, "stats.rows_added": None},
    "status-cancelled.json": {"exit": {2}, "runtime": 12.0},
    "status-waiting.json": {"exit": {3}, "progress.total_steps": None},
    "status-unknown-queued.json": {"exit": {3}, "status": "queued"},
    "status-unknown-40-chars.json": {"exit": {3}, "status": "awaiting_warehouse_capa"},
    "status-unknown-done-prefix.json": {"exit": {3}, "status": "done_partially"},
    "all-absent-minimal.json": {"exit": {3}, "kind": "in_db", "id": None, "table1": None,
                                "error_is_object": False},
    "all-null.json": {"exit": {3}, "kind": None, "stats.errors": None},
    "wrong-types-strings-for-numbers.json": {"exit": {0}, "id": None, "done": None,
                                             "stats.rows_added": None, "runtime": None},
    "wrong-types-numbers-for-strings.json": {"exit": {3}, "status": None, "created_at": None,
                                             "table1": None, "error.type": None,
                                             "error.value": None, "error_is_object": True},
    "wrong-types-containers.json": {"exit": {3}, "id": None, "status": None,
                                    "stats.rows_added": None, "error_is_object": False},
    "wrong-types-booleans.json": {"id": None, "done": None, "stats.sampled": None,
                                  "stats.rows_added": None, "stats.rows_removed": 7},
    "table-non-string-elements.json": {"table1": None, "table2": None},
    "table-empty-array-and-plain-string.json": {"table1": "",
                                                "table2": "ANALYTICS.DEV_PR_1423.ORDERS"},
    "table-empty-components.json": {"table1": "..", "table2": "orders"},
    "monitor-error-empty-object.json": {"error_is_object": True, "error.type": None},
    "monitor-error-null.json": {"error_is_object": False, "exit": {2}},
    "decoys-result-statuses.json": {"exit": {3}, "status": "processing", "id": 81230,
                                    "result": None, "stats.rows_added": None},
    "decoys-meta-data-deep.json": {"exit": {3}, "status": "waiting", "id": 81231,
                                   "table1": "ANALYTICS.PROD.ORDERS", "error_is_object": False},
    "decoys-session-parameters.json": {"exit": {2}, "status": "cancelled", "id": 81232},
    "decoys-column-mapping.json": {"exit": {1}, "result": "missing-pks"},
    "decoys-sql-strings.json": {"exit": {3}, "status": "processing", "id": 81234,
                                "progress.completed_steps": 2, "result": None},
    "decoys-string-lookalike-members.json": {"exit": {3}, "status": "waiting", "id": 81235,
                                             "result": None},
    "decoys-near-miss-keys.json": {"exit": {0}, "id": 81236, "status": "done",
                                   "stats.rows_added": None, "error_is_object": False},
    "duplicate-top-level-keys.json": {"exit": {1}, "id": 81238, "status": "done",
                                      "done": True, "table1": "ANALYTICS.PROD.ORDERS"},
    "duplicate-top-level-null-last.json": {"exit": {3}, "status": None,
                                           "stats.rows_added": None, "error_is_object": False},
    "duplicate-diff-stats-not-merged.json": {"stats.rows_added": None, "stats.diff_pks": 3,
                                             "progress.completed_steps": None,
                                             "progress.total_steps": 10},
    "duplicate-keys-inside-members.json": {"stats.rows_added": 2, "stats.sampled": False,
                                           "error.type": "Second"},
    "numbers-negative.json": {"id": -5, "runtime": -0.25, "stats.diff_values": -250.0,
                              "progress.total_steps": -9223372036854775808},
    "numbers-exponent-forms.json": {"id": 1000, "progress.completed_steps": 1000,
                                    "progress.total_steps": 1500, "stats.rows_added": 1,
                                    "stats.diff_rows_count": 12, "stats.match_ratio": 1000.0,
                                    "stats.table_a_row_count": 25, "runtime": 0.5},
    "numbers-negative-zero.json": {"id": 0, "stats.rows_added": 0, "stats.match_ratio": 0,
                                   "runtime": -0.0},
    "numbers-int64-limits.json": {"id": 9223372036854775807,
                                  "stats.rows_added": -9223372036854775808,
                                  "stats.diff_pks": 9223372036854775807,
                                  "runtime": 9223372036854775807,
                                  "stats.table_a_row_count": 4294967296},
    "numbers-int64-overflow.json": {"id": None, "stats.rows_added": None,
                                    "stats.diff_pks": 9.223372036854775808e18,
                                    "stats.diff_values": 1.8446744073709551616e19,
                                    "progress.completed_steps": None, "runtime": 1e20},
    "numbers-fractional.json": {"id": None, "progress.completed_steps": None,
                                "progress.total_steps": None, "stats.rows_added": None,
                                "stats.rows_removed": 3, "stats.errors": None,
                                "stats.table_a_row_count": 331872, "stats.diff_pks": 12.75},
    "numbers-tiny-exponents.json": {"stats.diff_null_pks": 0.0, "stats.rows_added": None,
                                    "stats.rows_removed": 0, "stats.diff_values": 5e-324,
                                    "progress.completed_steps": 1, "stats.errors": None,
                                    "stats.table_a_row_count": 1, "progress.total_steps": None},
    "numbers-big-exponents.json": {"id": 1000000000000000000,
                                   "progress.completed_steps": 9223372036854775807,
                                   "progress.total_steps": None, "stats.rows_added": None,
                                   "stats.diff_rows_count": 9223372036854775807,
                                   "stats.errors": 1, "stats.table_a_row_count": None,
                                   "stats.table_b_row_count": -1000, "runtime": 100.0},
    "numbers-long-mantissas.json": {"stats.rows_added": 9007199254740993,
                                    "stats.diff_values": 9007199254740993,
                                    "stats.diff_schema": 9007199254740992.0,
                                    "stats.match_ratio": 1.0, "stats.diff_null_pks": 0.1,
                                    "stats.table_b_row_count": 1234567890123456789},
    "keys-escaped-names.json": {"exit": {1}, "id": 81248, "status": "done",
                                "kind": "cross_db", "stats.rows_added": 5,
                                "stats.match_ratio": 0.5, "table1": "A.B", "table2": "C.D",
                                "error.type": "T", "done": True, "runtime": 1.5,
                                "progress.completed_steps": 9},
    "keys-escaped-solidus-and-values.json": {"exit": {0}, "table1": "ANALYTICS.PROD/X.ORDERS",
                                             "created_at": "2024-06-03T14:21:07+00:00"},
    "strings-escapes-decoded.json": {"table1": 'my "quoted" schema.back\\slash.tab\there.nl\nx',
                                     "table2": "ctl\x01\x1f\b\f\r.del\x7f"},
    "strings-lone-surrogates-and-nul.json": {"kind": "\ufffd", "status": "proc\ufffdessing",
                                             "table1": "a\ufffdb.\ufffd",
                                             "table2": "\U0001F680.\ufffd\U0001F680.x\ufffd\ufffd",
                                             "error.type": "\ufffdabc\ufffd"},
    "long-table-names-2byte.json": {"table1": PFX + X * 66, "table2": PFX + X * 65 + "é"},
    "long-table-names-3-4byte.json": {"table1": PFX + X * 65, "table2": PFX + X * 64},
    "long-table-names-4byte-fits.json": {"table1": PFX + X * 63 + "\U0001F680",
                                         "table2": "X" * 127},
    "long-error-value.json": {"error.type": "snowflake.connector.errors.ProgrammingError"
                                            ".SQLCompilationError", "error.value": "E" * 197},
    "long-error-value-2byte-straddle.json": {"error.type": "T" * 61, "error.value": X * 198},
    "long-status-result.json": {"exit": {3}, "status": "waiting_for_warehouse_",
                                "result": "a_result_value_from_the"},
    "long-kind-and-times.json": {"kind": "cross_db_with_l",
                                 "created_at": "2024-06-03T14:21:07.512345678901234567+",
                                 "finished_at": "2024-06-03T14:23:41.00000000000000000"},
    "unicode-table-names.json": {"exit": {0}, "table1": "分析.生产.订单",
                                 "table2": "分析.café.\U0001F4CA_reports.Ünïcödé"},
    "error-fastapi-422.json": {"exit": {6}, "status": None, "id": None},
    "error-fastapi-422-many.json": {"exit": {6}},
    "error-detail-not-found.json": {"exit": {6}},
    "error-problem-json.json": {"exit": {6}, "status": None},
    "error-problem-json-no-status.json": {"exit": {6}},
    "error-title-only.json": {"exit": {6}},
    "error-detail-with-id-is-not-error-body.json": {"exit": {3}, "id": 81234},
    "error-shaped-with-status-is-not-error-body.json": {"exit": {3}, "status": "error"},
    "depth-32-objects.json": {"exit": {0}, "id": 81260},
    "depth-32-arrays.json": {"exit": {3}, "id": 81261},
    "budget-stats-wanted-first.json": {"stats.rows_added": 5, "stats.sampled": False,
                                       "stats.errors": 0},
    # 64 one-letter components fill table1's 127 bytes within the 72-token budget
    "budget-table-many-components.json": {
        "table1": {"a.b.c.d.e.f.g.h.i.j.k.l.m.n.o.p.q.r.s.t.u.v.w.x.y.z.a.b.c.d.e.f.g.h.i.j"
                   ".k.l.m.n.o.p.q.r.s.t.u.v.w.x.y.z.a.b.c.d.e.f.g.h.i.j.k.l"}},
    "budget-stats-wanted-after-overflow.json": {"stats.rows_added": {None, 5}},
    "realistic-big-counts.json": {"id": 9007199254740993,
                                  "stats.table_a_row_count": 812345678901,
                                  "stats.diff_values": 123456789012345},
    "whitespace-crlf.json": {"exit": {1}, "id": 81245},
    "whitespace-none.json": {"exit": {2}, "error.value": "V"},
    "whitespace-lots.json": {"exit": {2}, "id": 81247, "stats.rows_removed": 7},
    "whitespace-tabs.json": {"exit": {0}, "id": 81244},
}
HAND_BAD = {
    "bad/notjson-empty.json": "notjson", "bad/notjson-only-whitespace.json": "notjson",
    "bad/notjson-bom.json": "notjson", "bad/notobject-array.json": "notobject",
    "bad/truncated-inside-escape.json": "truncated",
    "bad/truncated-inside-literal.json": "truncated",
    "bad/toodeep-33-arrays.json": "toodeep", "bad/toodeep-1000-unclosed.json": "toodeep",
    "bad/toodeep-mixed-then-bad-escape.json": "toodeep",
    "bad/escape-before-bad-number.json": "escape", "bad/number-before-bad-escape.json": "number",
    "bad/string-utf8-surrogate.json": "string", "bad/syntax-bad-literal.json": "syntax",
    "bad/syntax-nan-value.json": "syntax", "bad/trailing-two-objects.json": "trailing",
}


def _value_of(exp, path):
    if path == "exit":
        return set(exp.exit_codes)
    if path == "error_is_object":
        return exp.error_is_object.values
    return exp.fields[path].values


def _same_values(got_values, want):
    want_list = list(want) if isinstance(want, (set, frozenset)) else [want]
    if len(got_values) != len(want_list):
        return False
    return all(any(type(g) is type(w) and (g == w and (not isinstance(g, float) or
                                                      str(g) == str(w)))
                   for g in got_values) for w in want_list)


def self_check():
    # 1. values typed in by hand
    for name, checks in HAND.items():
        diags = []
        try:
            exp = oracle.expect(read(fixture(name)))
        except Exception as e:  # noqa: BLE001
            tap(False, "oracle self-check: %s" % name, ["oracle raised %r" % e])
            continue
        if exp.invalid is not None:
            diags.append("oracle rejects it: %s" % exp.invalid)
        else:
            for path, want in checks.items():
                got = _value_of(exp, path)
                if path == "exit":
                    ok = got == want
                else:
                    ok = _same_values(got, want)
                if not ok:
                    diags.append("%s: oracle says %r, hand-written %r" % (path, got, want))
            if exp.notes and not name.startswith(("budget-", "error-fastapi-422-many")):
                diags.extend("unexpected note: %s" % n for n in exp.notes)
        tap(not diags, "oracle self-check: %s" % name, diags)
    for name, kind in HAND_BAD.items():
        exp = oracle.expect(read(fixture(name)))
        got = exp.invalid.kind if exp.invalid else "valid"
        tap(got == kind, "oracle self-check: %s is %s" % (name, kind),
            [] if got == kind else ["oracle says %s" % got])

    # 2. every good fixture is valid, every bad one fails for the reason in its name
    diags = []
    for name in good_fixtures():
        try:
            exp = oracle.expect(read(fixture(name)))
        except AssertionError as e:
            diags.append("%s: %s" % (name, e))
            continue
        if exp.invalid is not None:
            diags.append("%s: should be valid, oracle says %s" % (name, exp.invalid))
    for name in bad_fixtures():
        want = os.path.basename(name).split("-")[0]
        if want not in oracle.KIND_MESSAGES:
            diags.append("%s: unknown error kind %r in the name" % (name, want))
            continue
        exp = oracle.expect(read(fixture(name)))
        got = exp.invalid.kind if exp.invalid else "valid"
        if got != want:
            diags.append("%s: named %s, oracle says %s" % (name, want, exp.invalid or got))
    tap(not diags, "oracle self-check: every fixture classified as named", diags)

    # 3. the comparator: the oracle's own line passes, deliberate mistakes are caught
    diags = []
    exp = oracle.expect(read(fixture("numbers-int64-limits.json")))
    line = exp.render()
    rc = min(exp.exit_codes)
    if oracle.compare(exp, rc, (line + "\n").encode(), b""):
        diags.append("the oracle's own line does not pass: %s" %
                     oracle.compare(exp, rc, (line + "\n").encode(), b""))
    mutants = {
        "wrong exit code": (2, line),
        "int field printed as a double": (rc, line.replace('"id":9223372036854775807',
                                                           '"id":9.22337203685477581e18')),
        "19-digit number field printed as a double": (
            rc, line.replace('"diff_pks":9223372036854775807', '"diff_pks":9.223372036854775807e18')),
        "missing key": (rc, line.replace('"kind":"in_db",', "")),
        "keys out of order": (rc, line.replace('"id":9223372036854775807,"status":"done"',
                                               '"status":"done","id":9223372036854775807')),
        "two lines": (rc, line + "\n" + line),
        "string instead of null": (rc, line.replace('"created_at":null', '"created_at":""')),
    }
    for what, (mrc, mline) in mutants.items():
        if mline == line and mrc == rc:
            diags.append("mutant %r did not change anything" % what)
        elif not oracle.compare(exp, mrc, (mline + "\n").encode(), b""):
            diags.append("mutant not caught: %s" % what)
    exp = oracle.expect(read(fixture("numbers-fractional.json")))
    line = exp.render()
    assert '"runtime":153.4975261234568' in line, line
    for txt, ok in (("153.497526", True), ("153.4975261", True), ("153.49752612345678", True),
                    ("153.49753", False), ("153.4975", False)):
        got = not oracle.compare(exp, 1, (line.replace("153.4975261234568", txt) + "\n").encode(),
                                 b"")
        if got != ok:
            diags.append("runtime printed as %s: comparator says %s" % (txt, "ok" if got else "bad"))
    exp = oracle.expect(read(fixture("error-problem-json.json")))
    line = exp.render() + "\n"
    saved = oracle.ERROR_BODY_OUTPUT
    try:
        for mode, out, err, ok in (
                ("line", line, "", True), ("line", "", "dfdiff: Forbidden\n", False),
                ("stderr", "", "dfdiff: API error: Forbidden: API key does\n", True),
                ("stderr", line, "Forbidden", False),
                ("either", line, "", True), ("either", "", "dfdiff: Forbidden\n", True),
                ("either", "", "dfdiff: error\n", False)):
            oracle.ERROR_BODY_OUTPUT = mode
            got = not oracle.compare(exp, 6, out.encode(), err.encode())
            if got != ok:
                diags.append("error body, %s mode, stdout %r stderr %r: comparator says %s"
                             % (mode, out[:20], err, "ok" if got else "bad"))
            if not oracle.compare(exp, 3, out.encode(), err.encode()):
                diags.append("error body with exit 3 not caught (%s mode)" % mode)
    finally:
        oracle.ERROR_BODY_OUTPUT = saved
    exp = oracle.expect(read(fixture("bad/truncated-inside-string.json")))
    if oracle.compare(exp, 6, b"", b"dfdiff: response JSON is truncated\n"):
        diags.append("a correct rejection is not accepted")
    if not oracle.compare(exp, 6, b"", b"dfdiff: response JSON has a syntax error\n"):
        diags.append("the wrong error kind is not caught")
    if not oracle.compare(exp, 6, b"{}\n", b"dfdiff: response JSON is truncated\n"):
        diags.append("stdout output on an invalid body is not caught")
    tap(not diags, "oracle self-check: comparator", diags)


def check_generated(exp, data):
    """Generated bodies carry known values (gen_bodies.GEN_*)."""
    g = gen_bodies
    if exp.invalid is not None:
        return ["generated body rejected by the oracle: %s" % exp.invalid]
    want = {"id": g.GEN_ID, "status": g.GEN_STATUS, "result": g.GEN_RESULT, "exit": {1}}
    if len(data) >= 8192:
        want.update({
            "kind": g.GEN_KIND, "table1": ".".join(g.GEN_TABLE1),
            "table2": ".".join(g.GEN_TABLE2), "created_at": g.GEN_CREATED_AT,
            "finished_at": g.GEN_FINISHED_AT, "runtime": g.GEN_RUNTIME, "done": True,
            "progress.total_steps": g.GEN_PROGRESS["total_steps"],
            "error.value": g.GEN_MONITOR_ERROR["error_value"]})
        for k in ("rows_added", "rows_removed", "diff_rows_count", "match_ratio",
                  "table_a_row_count", "table_b_row_count", "diff_pks", "diff_values",
                  "sampled"):
            want["stats." + k] = g.GEN_STATS[k]
    diags = []
    for path, w in want.items():
        got = _value_of(exp, path)
        if (got != w) if path == "exit" else not _same_values(got, w):
            diags.append("%s: oracle says %r, generator wrote %r" % (path, got, w))
    diags.extend("unexpected note: %s" % n for n in exp.notes)
    return diags


# ======================================================================================
# Running the command
# ======================================================================================

def good_fixtures():
    return sorted(f for f in os.listdir(FIXTURES) if f.endswith(".json"))


def bad_fixtures():
    return sorted("bad/" + f for f in os.listdir(os.path.join(FIXTURES, "bad"))
                  if f.endswith(".json"))


def run(dfdiff, args, stdin_path=None):
    stdin = open(stdin_path, "rb") if stdin_path else subprocess.DEVNULL
    try:
        p = subprocess.run([dfdiff] + args, stdin=stdin, stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, timeout=RUN_TIMEOUT)
        return p.returncode, p.stdout, p.stderr, None
    except subprocess.TimeoutExpired:
        return None, b"", b"", "timed out after %d s" % RUN_TIMEOUT
    except OSError as e:
        return None, b"", b"", "could not run: %s" % e
    finally:
        if stdin_path:
            stdin.close()


def check_file(dfdiff, path, name, exp=None):
    diags = []
    if exp is None:
        try:
            exp = oracle.expect(read(path))
        except AssertionError as e:
            tap(False, name, ["oracle: %s" % e])
            return
    if name.startswith("bad/"):
        want = os.path.basename(name).split("-")[0]
        got = exp.invalid.kind if exp.invalid else "valid"
        if got != want:
            diags.append("fixture is named %s but the oracle says %s" % (want, got))
    elif exp.invalid is not None:
        diags.append("fixture should be valid but the oracle says %s" % exp.invalid)
    modes = (
        ("FILE", ["parse", "--json", path], None),
        ("- <FILE", ["parse", "--json", "-"], path),
        ("<FILE", ["parse", "--json"], path),
    )
    per_mode = []
    for label, args, stdin in modes:
        if per_mode and any("timed out" in d for d in per_mode[-1][1]):
            per_mode.append((label, ["not run (the previous input mode timed out)"]))
            continue
        rc, out, err, problem = run(dfdiff, args, stdin)
        if problem:
            per_mode.append((label, [problem]))
        elif rc < 0:
            per_mode.append((label, ["killed by signal %d; stderr %r" % (-rc, err[:300])]))
        else:
            per_mode.append((label, oracle.compare(exp, rc, out, err)))
    if all(d == per_mode[0][1] for _, d in per_mode):
        diags.extend("[all inputs] %s" % d for d in per_mode[0][1])
    else:
        for label, ds in per_mode:
            diags.extend("[%s] %s" % (label, d) for d in ds)
    if diags and exp.invalid is None:
        diags.append("expected: exit %s %s" % ("/".join(map(str, sorted(exp.exit_codes))),
                                              exp.render()[:600]))
    if diags:
        diags.extend("note: %s" % n for n in exp.notes)
    tap(not diags, name, diags)


def corpus_dir():
    build = os.environ.get("BUILD") or os.path.join(ROOT, "build")
    d = os.path.join(build, "corpus")
    try:
        os.makedirs(d, exist_ok=True)
        return d
    except OSError:
        return tempfile.mkdtemp(prefix="dfdiff-corpus-")


def main(argv):
    oracle_only = "--oracle-only" in argv
    filters = [a for a in argv if a != "--oracle-only"]
    dfdiff = os.environ.get("DFDIFF") or os.path.join(ROOT, "build", "dfdiff")

    self_check()

    gen_dir = corpus_dir()
    generated = []
    for size in GENERATED_SIZES:
        path = os.path.join(gen_dir, "body-%s.json" % size)
        body = gen_bodies.generate(gen_bodies.parse_size(size))
        if not os.path.exists(path) or read(path) != body:
            with open(path, "wb") as f:
                f.write(body)
        exp = oracle.expect(body)
        generated.append((path, "generated/body-%s.json" % size, exp))
        diags = check_generated(exp, body)
        tap(not diags, "oracle self-check: generated/body-%s.json" % size, diags)
        del body

    if not oracle_only:
        if not (os.path.isfile(dfdiff) and os.access(dfdiff, os.X_OK)):
            tap(False, "dfdiff binary missing", ["no executable at %s (set DFDIFF)" % dfdiff])
        else:
            items = [(fixture(n), n, None) for n in good_fixtures() + bad_fixtures()]
            items += generated
            for path, name, exp in items:
                if filters and not any(f in name for f in filters):
                    continue
                check_file(dfdiff, path, name, exp)

    print("1..%d" % cases)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
