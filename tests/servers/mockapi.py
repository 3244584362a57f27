#!/usr/bin/env python3
"""mockapi.py - a scriptable mock of the Datafold data-diff API for dfdiff's tests.

    mockapi.py [--port N] [--port-file FILE] [--cert FILE --key FILE]
               [--tls-min 1.2|1.3] [--tls-max 1.2|1.3] [--key-required KEY]
               [--fixtures DIR] [--close-after-response] [--stats-file FILE]
               [--max-seconds S] [--idle-timeout S] [--bind 127.0.0.1|::1]
               [--ciphers STR] [--no-tickets] [--keylog FILE] [--exit-with-parent]
               [--quiet]
    mockapi.py --print-body ID        # print the generated body for ID and exit
    mockapi.py --list-scenarios       # print the scenario table and exit

Serves GET {prefix}/api/v1/datadiffs/{id}[?poll=...] over HTTP/1.1, with TLS when
--cert/--key are given. The prefix picks a fault scenario: "" is normal behaviour,
"/f/{scenario}" applies one (tokens may be combined with "+", e.g.
/f/chunked+drip-1-64/api/v1/datadiffs/7). GET /__stats and GET /__reset need no key.
HTTP is written by hand on raw sockets (no http.server) so every byte can be scripted.
Python 3 standard library only. See README.md beside this file.
"""

import argparse
import email.utils
import hashlib
import json
import os
import random
import re
import signal
import socket
import ssl
import struct
import sys
import threading
import time
import urllib.parse
import zlib
from dataclasses import dataclass, field
from functools import lru_cache

MAX_HEAD = 64 * 1024      # request head limit (431 beyond)
CLOSE_WAIT = 2.0          # seconds to wait for the peer's close_notify / FIN on close
SCRIPT_TOTAL_STEPS = 5

REASONS = {
    100: "Continue", 103: "Early Hints", 200: "OK", 301: "Moved Permanently",
    302: "Found", 307: "Temporary Redirect", 308: "Permanent Redirect",
    400: "Bad Request", 401: "Unauthorized", 403: "Forbidden", 404: "Not Found",
    405: "Method Not Allowed", 408: "Request Timeout", 409: "Conflict",
    413: "Content Too Large", 422: "Unprocessable Entity", 429: "Too Many Requests",
    431: "Request Header Fields Too Large", 500: "Internal Server Error",
    501: "Not Implemented", 502: "Bad Gateway", 503: "Service Unavailable",
    504: "Gateway Timeout",
}
# Message used in error bodies (FastAPI detail / detail[0].msg / RFC 7807 detail).
MESSAGES = {
    401: "Not authenticated",
    403: "Not enough permissions to access this data diff",
    404: "Not found",
    422: "value is not a valid integer",
    429: "Too many requests, slow down",
    500: "Internal server error",
    502: "Bad gateway",
    503: "Service temporarily unavailable",
    504: "Gateway timeout",
}
SHAPES = ("fastapi", "detail", "problem", "html", "text", "empty")

LOG_LOCK = threading.Lock()
QUIET = False


def log(msg):
    if QUIET:
        return
    with LOG_LOCK:
        sys.stderr.write("mockapi: " + msg + "\n")
        sys.stderr.flush()


def http_date(ts=None):
    return email.utils.formatdate(time.time() if ts is None else ts, usegmt=True)


def jdump(obj):
    return json.dumps(obj, separators=(",", ":")).encode()


# =====================================================================================
# Body generator: deterministic, schema-shaped ApiDataDiffWithProgressState bodies.
# =====================================================================================
#
# Variations by id (all deterministic, see README.md):
#   odd id       -> every non-ASCII character written as \uXXXX (emoji as surrogate pairs);
#                   even id -> raw UTF-8
#   id % 4 == 3  -> every "/" written as "\/"
#   id % 5 == 0  -> pretty-printed (indent 2); otherwise compact
#   id % 3       -> member order: 1 = alphabetical (schema order), 2 = status/result/id
#                   first, 0 = reverse alphabetical
#   even id      -> table1/table2 set (id % 10 == 0: a path longer than 128 bytes);
#                   odd id -> table1/table2 null
#   size grows with id: query1/query2/filter1 carry 1 + (id-1)//10 extra clauses
#                   (id 1: ~6 KB, id 999: ~60 KB); scenario pad-KB adds more

BIG = 9_000_000_000_000_000_000  # 19-digit counts still fit int64


def stats_for(i, result):
    """diff_stats for a finished diff (None unless the result carries stats)."""
    if result not in ("different", "identical", "missing-pks", "bad-pks", "empty"):
        return None
    if result in ("identical", "empty"):
        n = 0 if result == "empty" else BIG + i
        return {
            "diff_duplicate_pks": 0, "diff_null_pks": 0, "diff_pks": 0, "diff_rows": 0,
            "diff_rows_count": 0, "diff_rows_number": 0.0, "diff_schema": 0,
            "diff_values": 0, "errors": 0, "match_ratio": 1.0, "rows_added": 0,
            "rows_removed": 0, "sampled": False, "table_a_row_count": n,
            "table_b_row_count": n, "version": "2",
        }
    return {
        "diff_duplicate_pks": 17,
        "diff_null_pks": 3 if result == "missing-pks" else 0,
        "diff_pks": 7_294_967_296 + 2 * i,             # number, integral
        "diff_rows": 8_000_000_000 + i,                  # number, integral
        "diff_rows_count": 8_000_000_000 + i,
        "diff_rows_number": 8_000_000_000.5 + i,         # number, fractional
        "diff_schema": 2,
        "diff_values": 12_345_678_901 + i,
        "errors": 0,
        "match_ratio": round(0.998 - (i % 97) / 1000.0, 6),
        "rows_added": 4_294_967_296 + i,                 # 2^32 + id
        "rows_removed": 3_000_000_000 + i,
        "sampled": False,
        "table_a_row_count": BIG + i,
        "table_b_row_count": BIG + i + 123_456_789,
        "version": "2",
    }


def sql_query(i, side):
    """Long SQL with braces, quotes, backslashes, tabs, non-ASCII and decoy keys."""
    n = 1 + (i - 1) // 10 if 1 <= i <= 999 else 2
    db = "ANALYTICS.PUBLIC" if side == "A" else "ANALYTICS_PROD.PUBLIC"
    lines = [
        f'-- Dataset {side} of data diff #{i}: "quoted", back\\slash, tab\there, '
        "caf\u00e9, \u2713 and \U0001F600",
        "WITH src AS (",
        '  SELECT o.order_id, o.line_no, o.status AS "status", '
        'o.payload:"result"::string AS "result",',
        "         '{\"status\": \"failed\", \"result\": \"identical\", "
        "\"diff_stats\": {\"rows_added\": 0}}' AS decoy_json,",
        "         REGEXP_REPLACE(o.note, '[{}\\\\[\\\\]\"]', '') AS note_clean,",
        "         CASE WHEN o.amount_usd > 1e3 THEN '}}' ELSE '{{' END AS brace_bucket",
        f"  FROM {db}.ORDERS o",
        "  WHERE o.created_at >= '2024-01-01' AND o.status IN ('done', 'failed', "
        "'cancelled')",
    ]
    for k in range(n):
        lines.append(
            f"  UNION ALL SELECT {k} AS part, 'status' AS \"diff_stats\", "
            f"'{{\"result\": \"different\", \"k\": {k}}}' AS j, "
            f"CONCAT('a\\\\b', CHR(9), '\\\"') AS esc, '\u00fcber/{k}' AS path "
            f"FROM {db}.ORDERS_PART_{k:03d} WHERE status <> 'cancelled'")
    lines.append(")")
    if side == "B":
        lines.append("-- unit separator here:\x1f and a form feed:\x0c end")
    lines.append("SELECT * FROM src ORDER BY order_id, line_no")
    return ("\n" if side == "A" else "\r\n").join(lines)


def sql_filter(i):
    n = 1 + (i - 1) // 10 if 1 <= i <= 999 else 2
    parts = ["o.status = 'done'", "o.payload:\"diff_stats\" IS NOT NULL",
             "o.note NOT LIKE '%{\"result\": \"identical\"}%'"]
    parts += [f"(o.region_{k} IN ('eu', 'us') OR o.flag_{k} = '\\\\}}')" for k in range(n)]
    return " AND ".join(parts)


def table_path(i, side):
    if i % 2:
        return None
    if i % 10 == 0:
        return ["ANALYTICS_" + "VERY_LONG_DATABASE_NAME_" * 3 + side,
                "SCHEMA_" + "X" * 40, f"ORDERS_{i}_" + "Y" * 40]
    return ["ANALYTICS", "PUBLIC" if side == "A" else "PUBLIC_PROD", f"ORDERS_{i}"]


def iso(i, minutes):
    t = 1_714_564_800 + i * 3600 + minutes * 60  # 2024-05-01T12:00Z + id hours
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(t)) + f".{i % 1000:03d}123+00:00"


def diff_object(i, status="done", result="different", progress=None, error=None):
    """The full body as a dict, before member ordering and serialisation."""
    terminal = status in ("done", "failed", "cancelled")
    sha = hashlib.sha1(str(i).encode()).hexdigest()
    if progress is None and terminal:
        progress = (SCRIPT_TOTAL_STEPS, SCRIPT_TOTAL_STEPS)
    return {
        "affected_columns": ["amount_usd", "status", "updated_at", "note"],
        "algorithm": "join" if i % 2 else "fetch_and_join",
        "archived": False,
        "bisection_factor": 32,
        "bisection_threshold": 16384,
        "ci_base_branch": "main",
        "ci_pr_branch": f"feature/diff-{i}",
        "ci_pr_num": 1000 + i,
        "ci_pr_sha": sha,
        "ci_pr_url": f"https://github.com/example/analytics/pull/{1000 + i}",
        "ci_pr_user_display_name": "Zo\u00eb \u00c5ngstr\u00f6m",
        "ci_pr_user_email": "zoe@example.com",
        "ci_pr_user_id": "u-12345",
        "ci_pr_username": "zoe",
        "ci_run_id": 7_000_000_000 + i,
        "ci_sha_url": f"https://github.com/example/analytics/commit/{sha}",
        "column_mapping": [["customer_id", "cust_id"], ["amount_usd", "amount"]],
        "columns_to_compare": [f"col_{k:02d}" for k in range(20)],
        "compare_duplicates": True,
        "created_at": iso(i, 0),
        "data_app_metadata": {
            "data_app_id": i,
            "data_app_model1_id": "model.analytics.orders",
            "data_app_model1_name": "orders",
            "data_app_model2_id": "model.analytics_prod.orders",
            "data_app_model2_name": "orders (prod)",
            "data_app_model_type": "dbt",
            "meta_data": {
                "status": "failed", "result": "identical", "done": False, "id": -1,
                "diff_stats": {"rows_added": 1, "rows_removed": 2, "match_ratio": 0.5},
                "nested": {"deeper": [{"status": "cancelled", "result": "error"}]},
                "sql": "SELECT '{\"status\": \"failed\"}'",
            },
        },
        "data_app_type": "dbt",
        "data_source1_id": 1,
        "data_source1_session_parameters": {"QUERY_TAG": "datadiff", "WAREHOUSE": "COMPUTE_WH"},
        "data_source2_id": 1 if i % 2 else 2,
        "data_source2_session_parameters": None,
        "datetime_tolerance": 6,
        "diff_progress": None if progress is None else {
            "completed_steps": progress[0], "total_steps": progress[1], "version": "1"},
        "diff_stats": stats_for(i, result) if status == "done" else None,
        "diff_tolerance": 0.00001,
        "diff_tolerances_per_column": [
            {"column_name": "amount_usd", "tolerance_mode": "absolute", "tolerance_value": 0.01},
            {"column_name": "fx_rate", "tolerance_mode": "relative", "tolerance_value": 1e-9}],
        "done": terminal,
        "download_limit": 1000,
        "exclude_columns": ["_loaded_at", "_etl_batch_id"],
        "execute_as_user": False,
        "file1": None,
        "file1_options": None,
        "file2": None,
        "file2_options": None,
        "filter1": sql_filter(i),
        "filter2": "status = 'active' AND result <> 'error'",
        "finished_at": iso(i, 7) if terminal else None,
        "id": i,
        "include_columns": None,
        "infer_pk": False,
        "infer_pk_avoid_names": None,
        "infer_pk_avoid_types": None,
        "kind": "in_db" if i % 2 else "cross_db",
        "materialization_destination_id": None,
        "materialize_dataset1": False,
        "materialize_dataset2": False,
        "materialize_without_sampling": False,
        "monitor_error": None if error is None else {"error_type": error[0],
                                                     "error_value": error[1]},
        "monitor_id": None,
        "monitor_state": None,
        "per_column_diff_limit": 100,
        "pk_columns": ["order_id", "line_no"],
        "purged": False,
        "query1": sql_query(i, "A"),
        "query2": sql_query(i, "B"),
        "result": result if status == "done" else None,
        "result_revisions": {"pks": 3, "values": 2, "schema": 1},
        "result_statuses": {"pks": "done", "values": "done", "schema": "done",
                            "status": "failed", "result": "identical", "diff_stats": "missing"},
        "run_profiles": True,
        "runtime": round(123.456 + i / 1000.0, 3) if terminal else None,
        "sampling_confidence": None,
        "sampling_max_rows": None,
        "sampling_ratio": None,
        "sampling_threshold": 5_000_000,
        "sampling_tolerance": None,
        "share_token": None,
        "share_url": None,
        "sort_array_columns": False,
        "source": "api",
        "status": status,
        "table1": table_path(i, "A"),
        "table2": table_path(i, "B"),
        "table_modifiers": ["case_insensitive_strings"],
        "tags": ["nightly", "orders", "\u00fcnic\u00f6de \u2603"],
        "temp_schema_override": ["SCRATCH", "DATAFOLD_TMP"],
        "time_aggregate": None,
        "time_column": "updated_at",
        "time_interval_end": "2024-04-30T00:00:00",
        "time_interval_start": "2024-04-01T00:00:00",
        "time_travel_point1": -130,
        "time_travel_point2": "2024-01-15T00:00:00",
        "tolerance_mode": "absolute",
        "updated_at": iso(i, 7 if terminal else 1),
        "user_id": 42,
    }


def serialize(i, obj):
    order = i % 3
    keys = sorted(obj)
    if order == 2:
        first = ["status", "result", "id", "done"]
        keys = first + [k for k in keys if k not in first]
    elif order == 0:
        keys.reverse()
    obj = {k: obj[k] for k in keys}
    ascii_only = i % 2 == 1
    if i % 5 == 0:
        text = json.dumps(obj, ensure_ascii=ascii_only, indent=2)
    else:
        text = json.dumps(obj, ensure_ascii=ascii_only, separators=(",", ":"))
    if i % 4 == 3:
        text = text.replace("/", "\\/")  # "/" only occurs inside strings in JSON
    return text.encode("utf-8")


@lru_cache(maxsize=256)
def generated_body(i):
    return serialize(i, diff_object(i))


# --- scripted diffs 9001-9099: each 200 GET advances the diff by one step ------------
# step 0,1: waiting (9010: queued); steps 2..7: processing with completed_steps 0..5;
# step 8 and later: the final state below.
SCRIPTED_FINAL = {
    9001: ("done", "identical", None),
    9002: ("done", "different", None),
    9003: ("failed", None, ("SnowflakeProgrammingError",
                            "SQL compilation error:\nObject 'ANALYTICS.PUBLIC.ORDERS' does "
                            "not exist or not authorized. \"quoted\" back\\slash")),
    9004: ("cancelled", None, None),
    9005: ("processing", None, None),      # never finishes (stays at 5/5)
    9006: ("done", "error", ("DiffError", "Primary key column 'order_id' contains NULL values")),
    9007: ("done", "missing-pks", None),
    9008: ("done", "bad-pks", None),
    9009: ("done", "empty", None),
    9010: ("done", "identical", None),     # says "queued" instead of "waiting"
}


def scripted_object(i, step):
    final = SCRIPTED_FINAL.get(i, SCRIPTED_FINAL[9002])
    if step < 2:
        return diff_object(i, "queued" if i == 9010 else "waiting", None)
    if step < 3 + SCRIPT_TOTAL_STEPS or final[0] == "processing":
        done_steps = min(step - 2, SCRIPT_TOTAL_STEPS)
        return diff_object(i, "processing", None, (done_steps, SCRIPT_TOTAL_STEPS))
    status, result, error = final
    return diff_object(i, status, result, error=error)


# =====================================================================================
# Scenarios
# =====================================================================================

@dataclass
class Scenario:
    name: str = ""
    status: int = 0              # forced error status (status-NNN)
    shape: str = ""              # error body shape (body-SHAPE)
    retry_date: bool = False     # Retry-After as an HTTP-date
    redirect: int = 0
    interim: bool = False
    payload: str = ""            # "trunc" | "garbage"
    big_headers: bool = False
    status_line: str = ""        # "" | "no-reason" | "no-reason-sp"
    lower_headers: bool = False
    flaky: int = 0
    framing: str = "length"      # "length" | "chunked" | "close"
    extra: str = ""              # "" | "after" | "short"
    delivery: str = ""           # "" | "cut" | "reset" | "stall" | "hang"
    drip_ms: int = 0
    drip_bytes: int = 1
    close_notify: bool = True    # send close_notify when the server closes (TLS)
    silent_close: bool = False
    force_close: bool = False
    pad_kb: int = 0              # a big leading "_padding" member (pad-KB)


def _status(m):
    code = int(m[1])
    if not 400 <= code <= 599:
        return None
    upd = {"status": code}
    if m[2]:
        upd["shape"] = m[2]
    if m[3]:
        upd["retry_date"] = True
    return upd


def _shape(m):
    return {"shape": m[1]}


# (token regex, updates for Scenario or a function of the match, description)
SCENARIOS = [
    (r"chunked", {"framing": "chunked"},
     "Transfer-Encoding: chunked, random chunk sizes, chunk extensions, trailer X-Trailer: 1"),
    (r"big-headers", {"big_headers": True},
     "an 8 KB Set-Cookie and a 16 KB Content-Security-Policy header"),
    (r"no-reason", {"status_line": "no-reason"}, 'status line "HTTP/1.1 200" (no SP, no reason)'),
    (r"no-reason-sp", {"status_line": "no-reason-sp"},
     'status line "HTTP/1.1 200 " (empty reason)'),
    (r"lower-headers", {"lower_headers": True}, "all response header names in lower case"),
    (r"close-delimited", {"framing": "close"},
     "no Content-Length, not chunked, Connection: close; the body ends at close"),
    (r"cut", {"delivery": "cut"},
     "full Content-Length, half the body, then a clean close (close_notify + FIN)"),
    (r"drip(?:-(\d+)(?:-(\d+))?)?",
     lambda m: {"drip_ms": int(m[1] or 10), "drip_bytes": max(1, int(m[2] or 1))},
     "the whole response N bytes (default 1) every MS ms (default 10): drip, drip-MS, drip-MS-N"),
    (r"reset", {"delivery": "reset"}, "half the body, then RST (SO_LINGER 0)"),
    (r"stall", {"delivery": "stall"}, "the headers, then nothing until the client leaves"),
    (r"hang", {"delivery": "hang"}, "reads the request, sends nothing until the client leaves"),
    (r"status-(\d{3})(?:-body-([a-z]+))?(-retry-date)?", _status,
     "forced error status 400-599 (before auth), e.g. status-503-body-problem"),
    (r"body-([a-z]+)", _shape, "error body shape: " + "|".join(SHAPES)),
    (r"retry-date", {"retry_date": True},
     "Retry-After as an HTTP-date 2 s ahead; alone it means status 503"),
    (r"redirect(?:-(30[1278]))?", lambda m: {"redirect": int(m[1] or 302)},
     "302 (or redirect-301/307/308) to https://elsewhere.example/api/v1/datadiffs/{id}"),
    (r"interim", {"interim": True}, "100 Continue and 103 Early Hints (Link header) first"),
    (r"json-trunc", {"payload": "trunc"},
     "200, the body is the first half of the JSON, Content-Length matches it"),
    (r"json-garbage", {"payload": "garbage"}, "200 application/json with an HTML body"),
    (r"extra", {"extra": "after"},
     "Content-Length covers the body, then 58 more bytes follow on the connection"),
    (r"extra-short", {"extra": "short"}, "Content-Length 17 bytes shorter than the body sent"),
    (r"pad-(\d+)", lambda m: {"pad_kb": int(m[1])} if int(m[1]) <= 65536 else None,
     "a 200 body gets a leading top-level \"_padding\" string of about KB KiB (max 65536)"),
    (r"flaky-(\d+)", lambda m: {"flaky": int(m[1])},
     "the first N requests per (scenario, id) get 503 with Retry-After: 1"),
    (r"close", {"force_close": True}, "Connection: close, server closes after the response"),
    (r"silent-close", {"silent_close": True},
     "normal keep-alive response, then the server closes anyway (stale connection)"),
    (r"no-close-notify", {"close_notify": False},
     "server-side closes skip TLS close_notify (bare FIN)"),
]
_SCENARIO_RES = [(re.compile(rx + r"\Z"), upd, desc) for rx, upd, desc in SCENARIOS]


class UnknownScenario(Exception):
    pass


def parse_scenario(text):
    scen = Scenario(name=text or "")
    if not text:
        return scen
    for token in text.split("+"):
        for rx, upd, _ in _SCENARIO_RES:
            m = rx.match(token)
            if m:
                changes = upd(m) if callable(upd) else upd
                if changes is None or changes.get("shape", SHAPES[0]) not in SHAPES:
                    raise UnknownScenario(token)
                for k, v in changes.items():
                    setattr(scen, k, v)
                break
        else:
            raise UnknownScenario(token)
    if scen.retry_date and not scen.status and not scen.flaky:
        scen.status = 503
    return scen


# =====================================================================================
# Responses
# =====================================================================================

@dataclass
class Response:
    status: int
    body: bytes = b""
    ctype: str = ""
    headers: list = field(default_factory=list)
    label: str = ""  # a note for the log
    now: int = field(default_factory=lambda: int(time.time()))  # for Date and Retry-After


def error_response(status, shape="", path="", msg=None):
    shape = shape or ("fastapi" if status == 422 else "detail")
    reason = REASONS.get(status, "Error")
    msg = msg or MESSAGES.get(status, reason)
    if shape == "fastapi":
        if status == 422:
            item = {"loc": ["path", "datadiff_id"], "msg": msg, "type": "type_error.integer"}
        else:
            loc = ["header", "authorization"] if status in (401, 403) else ["path", "datadiff_id"]
            item = {"loc": loc, "msg": msg, "type": "http_error"}
        return Response(status, jdump({"detail": [item]}), "application/json")
    if shape == "detail":
        return Response(status, jdump({"detail": msg}), "application/json")
    if shape == "problem":
        slug = reason.lower().replace(" ", "-")
        body = {"type": f"https://docs.datafold.com/errors/{slug}", "title": reason,
                "status": status, "detail": msg, "instance": path}
        return Response(status, jdump(body), "application/problem+json")
    if shape == "html":
        html = (f"<html><body><h1>{status} {reason}</h1>\n"
                "<p>The server is temporarily unable to service your request.</p>\n"
                "<hr><center>nginx</center>\n</body></html>\n")
        return Response(status, html.encode(), "text/html")
    if shape == "text":
        return Response(status, f"{status} {reason}: {msg}\n".encode(), "text/plain; charset=utf-8")
    return Response(status)  # empty


def add_retry_after(resp, scen, seconds=2):
    if scen.retry_date:
        resp.headers.append(("Retry-After", http_date(resp.now + seconds)))  # Date + seconds
    else:
        resp.headers.append(("Retry-After", str(seconds)))


PAD_UNIT = (rb"""SELECT \"status\", '{\"result\": [1, 2]}' AS \"diff_stats\" """
            rb"""FROM t WHERE a = 'x\\y' AND b <> '\u00e9\t' -- """)  # JSON-escaped already


def padding(kb):
    """About kb KiB of JSON string content (escapes included), whole units only."""
    return PAD_UNIT * -(-kb * 1024 // len(PAD_UNIT))


ROUTE = re.compile(r"/(?:f/([^/]+)/)?api/v1/datadiffs/([^/]+)\Z")
INT_RE = re.compile(r"[+-]?[0-9]+\Z")


class App:
    """Request -> Response; owns the per-id counters."""

    def __init__(self, key, fixtures):
        self.key = key
        self.fixtures = fixtures
        self.lock = threading.Lock()
        self.flaky = {}
        self.script = {}

    def reset(self):
        with self.lock:
            self.flaky.clear()
            self.script.clear()

    def _bump(self, table, k):
        with self.lock:
            table[k] = table.get(k, 0) + 1
            return table[k]

    def _advance(self, i):
        with self.lock:
            step = self.script.get(i, 0)
            self.script[i] = step + 1
            return step

    def auth(self, req):
        values = req.headers.get("authorization", [])
        if not values:
            return "missing"
        return "ok" if values == [f"Key {self.key}"] else "wrong"

    def lookup(self, i):
        """(body, label) for diff i, or None."""
        if self.fixtures:
            p = os.path.join(self.fixtures, f"{i}.json")
            if os.path.isfile(p):
                with open(p, "rb") as f:
                    return f.read(), "fixture"
        if 9001 <= i <= 9099:
            step = self._advance(i)
            obj = scripted_object(i, step)
            return serialize(i, obj), f"script step {step}: {obj['status']}"
        if 1 <= i <= 999:
            return generated_body(i), "generated"
        return None

    def handle(self, req, scen, id_text):
        path = req.path
        if scen.flaky and self._bump(self.flaky, (scen.name, id_text)) <= scen.flaky:
            resp = error_response(503, scen.shape, path)
            add_retry_after(resp, scen, 1)
            resp.label = "flaky"
            return resp
        if scen.status:
            resp = error_response(scen.status, scen.shape, path)
            resp.label = "forced"
            return resp
        if scen.redirect:
            loc = f"https://elsewhere.example/api/v1/datadiffs/{id_text}"
            reason = REASONS[scen.redirect]
            html = f"<html><body><h1>{scen.redirect} {reason}</h1></body></html>\n"
            return Response(scen.redirect, html.encode(), "text/html", [("Location", loc)])
        if req.auth != "ok":
            resp = error_response(401, scen.shape, path)
            resp.label = "auth " + req.auth
            return resp
        if not INT_RE.match(id_text):
            return error_response(422, scen.shape, path)
        found = self.lookup(int(id_text))
        if found is None:
            return error_response(404, scen.shape, path)
        body, label = found
        if scen.pad_kb and body[:1] == b"{":
            body = b'{"_padding":"' + padding(scen.pad_kb) + b'",' + body[1:]
        if scen.payload == "trunc":
            body = body[: len(body) // 2]
        elif scen.payload == "garbage":
            body = (b"<!doctype html><html><head><title>Sign in</title></head>"
                    b"<body>Your session has expired. Please sign in again.</body></html>\n")
        return Response(200, body, "application/json", label=label)


# =====================================================================================
# Stats
# =====================================================================================

class Stats:
    COUNTERS = ("connections", "handshakes_full", "handshakes_resumed", "handshakes_failed",
                "requests", "close_notify_received", "idle_timeouts", "bad_scenarios")

    def __init__(self, path):
        self.path = path
        self.lock = threading.Lock()
        self.active = 0
        self.reset()

    def reset(self):
        with self.lock:
            self.d = {k: 0 for k in self.COUNTERS}
            self.d.update(requests_per_path={}, responses_per_status={}, tls_versions={},
                          last_request=None, last_tls=None, last_handshake_error=None)
        self.write()

    def snapshot(self):
        with self.lock:
            snap = json.loads(json.dumps(self.d))
            snap["active_connections"] = self.active
            return snap

    def update(self, fn):
        with self.lock:
            fn(self.d)
        self.write()

    def bump(self, key, n=1):
        self.update(lambda d: d.__setitem__(key, d[key] + n))

    def conn_open(self, tls_info):
        """A connection starts to count (see Conn.commit)."""
        self.update(self.open_fn(tls_info))

    def open_fn(self, tls_info):
        def upd(d):
            self.active += 1
            d["connections"] += 1
            if tls_info:
                d["handshakes_resumed" if tls_info["resumed"] else "handshakes_full"] += 1
                v = tls_info["version"]
                d["tls_versions"][v] = d["tls_versions"].get(v, 0) + 1
                d["last_tls"] = tls_info
        return upd

    def conn_close(self, close_notify):
        def upd(d):
            self.active -= 1
            d["close_notify_received"] += 1 if close_notify else 0
        self.update(upd)

    def write(self):
        if not self.path:
            return
        data = json.dumps(self.snapshot(), indent=1, sort_keys=True) + "\n"
        with self.lock:
            tmp = f"{self.path}.tmp{os.getpid()}"
            with open(tmp, "w") as f:
                f.write(data)
            os.replace(tmp, self.path)


# =====================================================================================
# HTTP over one connection
# =====================================================================================

class BadRequest(Exception):
    def __init__(self, status, msg):
        super().__init__(msg)
        self.status = status


class PeerGone(Exception):
    pass


@dataclass
class Request:
    method: str
    target: str
    version: str
    headers: dict
    path: str = ""
    query: str = ""
    auth: str = ""


def redact(target, key):
    if key:
        for k in {key, urllib.parse.quote(key, safe=""), urllib.parse.quote_plus(key)}:
            target = target.replace(k, "REDACTED")
    return re.sub(r"((?:api_?key|key|token|auth\w*)=)[^&]*", r"\1REDACTED", target, flags=re.I)


def parse_head(head):
    lines = head.replace(b"\r\n", b"\n").split(b"\n")
    try:
        line = lines[0].decode("ascii")
    except UnicodeDecodeError:
        raise BadRequest(400, "request line is not ASCII")
    parts = line.split(" ")
    if len(parts) != 3 or not re.match(r"HTTP/1\.[01]\Z", parts[2]) or not parts[1]:
        raise BadRequest(400, "malformed request line")
    headers = {}
    for raw in lines[1:]:
        if not raw:
            continue
        name, sep, value = raw.partition(b":")
        if not sep or not re.match(rb"[!#$%&'*+.^_`|~0-9A-Za-z-]+\Z", name):
            raise BadRequest(400, "malformed header line")
        headers.setdefault(name.decode().lower(), []).append(
            value.strip(b" \t").decode("latin-1"))
    target = parts[1]
    if target.startswith(("http://", "https://")):  # absolute-form
        target = "/" + target.split("/", 3)[3] if target.count("/") >= 3 else "/"
    path, _, query = target.partition("?")
    return Request(parts[0], target, parts[2], headers, path, query)


class Conn:
    """One client connection: TLS handshake, request loop, scripted delivery, close."""

    def __init__(self, server, sock, number):
        self.srv = server
        self.sock = sock
        self.no = number
        self.tls = False
        self.buf = b""
        self.nreq = 0
        self.notify_seen = False
        self.closed = False
        self.committed = False   # counted in the stats (see commit)
        self.invisible = False   # carried only control requests, or counted as failed
        self.tls_info = None

    # --- socket helpers --------------------------------------------------------------
    def note_close_notify(self):
        if self.tls:
            self.notify_seen = True

    def commit(self):
        """Starts counting this connection in the stats. Deferred until its first
        regular request (or its end), so connections that only carry /__stats or
        /__reset stay invisible."""
        if not self.committed:
            self.committed = True
            self.srv.stats.conn_open(self.tls_info)

    def recv(self):
        """Bytes from the peer; raises PeerGone when it has closed (noting close_notify)."""
        try:
            data = self.sock.recv(65536)
        except ssl.SSLZeroReturnError:
            data = b""
        except (ssl.SSLError, ConnectionError) as e:  # abrupt EOF (no close_notify), RST
            raise PeerGone(str(e))
        if not data:
            if self.tls:
                self.note_close_notify()  # suppress_ragged_eofs=False: b"" means close_notify
            raise PeerGone("closed")
        return data

    def send(self, data):
        if data:
            self.sock.sendall(data)

    def handshake(self):
        stats = self.srv.stats
        try:
            self.sock = self.srv.ctx.wrap_socket(self.sock, server_side=True,
                                                 do_handshake_on_connect=False,
                                                 suppress_ragged_eofs=False)
            self.sock.settimeout(self.srv.args.idle_timeout)
            self.sock.do_handshake()
        except (ssl.SSLError, OSError) as e:
            reason = getattr(e, "reason", None) or str(e) or type(e).__name__
            log(f"#{self.no} TLS handshake failed: {reason}")

            def upd(d):
                d["connections"] += 1
                d["handshakes_failed"] += 1
                d["last_handshake_error"] = str(reason)
            stats.update(upd)
            return False
        self.tls = True
        s = self.sock
        self.tls_info = {"version": s.version(), "cipher": s.cipher()[0],
                         "resumed": s.session_reused, "alpn": s.selected_alpn_protocol(),
                         "sni": getattr(s, "mock_sni", None)}
        return True

    def close(self, notify=True):
        """Server-side close: close_notify (TLS), FIN, wait briefly for the peer."""
        if self.closed:
            return
        self.closed = True
        sock = self.sock
        try:
            sock.settimeout(CLOSE_WAIT)
            if self.tls and notify:
                try:
                    sock = sock.unwrap()        # sends ours, waits for the peer's
                    self.note_close_notify()
                except (ssl.SSLError, OSError):
                    sock.close()
                    return
            sock.shutdown(socket.SHUT_WR)
            end = time.monotonic() + CLOSE_WAIT
            while time.monotonic() < end and sock.recv(65536):
                pass  # drain until the peer's FIN, so close() does not send RST
        except (OSError, ValueError):
            pass
        finally:
            sock.close()

    def abort(self):
        """Close with RST."""
        self.closed = True
        try:
            self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        except OSError:
            pass
        self.sock.close()

    def wait_for_peer(self):
        """Keep the connection open, sending nothing, until the peer leaves or we stop."""
        self.sock.settimeout(0.5)
        while not self.srv.stopping():
            try:
                self.recv()
            except socket.timeout:
                continue
            except (PeerGone, OSError):
                break
        self.close_after_peer()

    # --- request loop ------------------------------------------------------------------
    def serve(self):
        srv = self.srv
        try:
            self.sock.settimeout(srv.args.idle_timeout)
            if srv.ctx is not None and not self.handshake():
                self.invisible = True  # counted as a failed handshake already
                self.abort_quietly()
                return
            while not srv.stopping() and not self.closed:
                try:
                    req = self.read_request()
                except socket.timeout:
                    if self.committed or not self.invisible:
                        self.commit()
                        srv.stats.bump("idle_timeouts")
                    self.close()
                    break
                except PeerGone:
                    self.close_after_peer()
                    break
                except BadRequest as e:
                    self.send_simple(e.status, str(e))
                    self.close()
                    break
                if not self.dispatch(req):
                    break
        except (OSError, ssl.SSLError) as e:
            log(f"#{self.no} connection error: {e}")
        finally:
            if not self.closed:
                self.closed = True
                self.sock.close()
            if not self.committed and not self.invisible:
                self.commit()  # a connection that carried no request at all
            if self.committed:
                srv.stats.conn_close(self.notify_seen)

    def abort_quietly(self):
        self.closed = True
        try:
            self.sock.close()
        except OSError:
            pass

    def close_after_peer(self):
        """The peer closed first: answer close_notify with ours, then close."""
        self.closed = True
        try:
            if self.notify_seen:
                self.sock.settimeout(0.5)
                self.sock.unwrap()
        except (ssl.SSLError, OSError, ValueError):
            pass
        self.sock.close()

    def read_request(self):
        while True:
            end = self.buf.find(b"\r\n\r\n")
            sep = 4
            if end < 0:
                end, sep = self.buf.find(b"\n\n"), 2
            if end >= 0:
                break
            if len(self.buf) > MAX_HEAD:
                raise BadRequest(431, "request head too large")
            self.buf += self.recv()
        if end > MAX_HEAD:
            raise BadRequest(431, "request head too large")
        head, self.buf = self.buf[:end], self.buf[end + sep:]
        req = parse_head(head)
        if "transfer-encoding" in req.headers:
            raise BadRequest(400, "request bodies are not supported")
        length = req.headers.get("content-length", ["0"])
        if len(length) != 1 or not length[0].isdigit():
            raise BadRequest(400, "bad Content-Length")
        need = int(length[0])
        while len(self.buf) < need:
            self.buf += self.recv()
        self.buf = self.buf[need:]
        if req.version == "HTTP/1.1" and len(req.headers.get("host", [])) != 1:
            raise BadRequest(400, "missing or repeated Host header")
        req.auth = self.srv.app.auth(req)
        return req

    def wants_close(self, req):
        tokens = {t.strip().lower()
                  for v in req.headers.get("connection", []) for t in v.split(",")}
        if req.version == "HTTP/1.0":
            return "keep-alive" not in tokens
        return "close" in tokens or self.srv.args.close_after_response

    def send_simple(self, status, text):
        body = (text + "\n").encode()
        head = (f"HTTP/1.1 {status} {REASONS.get(status, 'Error')}\r\nDate: {http_date()}\r\n"
                f"Server: mockapi\r\nContent-Type: text/plain\r\nContent-Length: {len(body)}\r\n"
                "Connection: close\r\n\r\n")
        log(f"#{self.no} bad request -> {status} ({text})")
        try:
            self.send(head.encode() + body)
        except OSError:
            pass

    def dispatch(self, req):
        """Answers one request. Returns True to keep reading requests."""
        srv = self.srv
        self.nreq += 1
        shown = redact(req.target, srv.app.key)
        if req.path in ("/__reset", "/__stats"):
            self.invisible = True  # unless a regular request commits it later
            if req.path == "/__reset":
                srv.app.reset()
                srv.stats.reset()
            resp = Response(200, jdump(srv.stats.snapshot()), "application/json")
            log(f"#{self.no}.{self.nreq} {req.method} {shown} -> 200 (control)")
            return self.deliver(req, resp, Scenario())
        scen = Scenario()
        m = ROUTE.match(req.path)
        if req.method != "GET":
            resp = Response(405, jdump({"detail": "Method Not Allowed"}), "application/json",
                            [("Allow", "GET")])
        elif not m:
            resp = Response(404, jdump({"detail": "Not Found"}), "application/json")
        else:
            try:
                scen = parse_scenario(urllib.parse.unquote(m[1] or ""))
                resp = srv.app.handle(req, scen, urllib.parse.unquote(m[2]))
            except UnknownScenario as e:
                srv.stats.bump("bad_scenarios")
                log(f"#{self.no}.{self.nreq} UNKNOWN SCENARIO TOKEN {e} in {shown}")
                scen = Scenario()
                resp = Response(400, jdump({"detail": f"mockapi: unknown scenario token {e}"}),
                                "application/json")
        opening = None
        if not self.committed:  # first regular request: count the connection too
            self.committed = True
            opening = srv.stats.open_fn(self.tls_info)

        def upd(d):
            if opening:
                opening(d)
            self.count_request(d, req, shown, resp.status)
        srv.stats.update(upd)  # written before the response goes out
        notes = [n for n in (scen.name, resp.label) if n]
        log(f"#{self.no}.{self.nreq} {req.method} {shown} -> {resp.status}"
            + (f" [{'; '.join(notes)}]" if notes else ""))
        return self.deliver(req, resp, scen)

    @staticmethod
    def count_request(d, req, shown, status):
        d["requests"] += 1
        d["requests_per_path"][req.path] = d["requests_per_path"].get(req.path, 0) + 1
        d["responses_per_status"][str(status)] = d["responses_per_status"].get(str(status), 0) + 1
        hdrs = {k: ("REDACTED" if k == "authorization" else ", ".join(v))
                for k, v in req.headers.items()}
        d["last_request"] = {"method": req.method, "target": shown, "version": req.version,
                             "auth": req.auth, "headers": hdrs}

    # --- writing the response ------------------------------------------------------------
    def deliver(self, req, resp, scen):
        closing = (self.wants_close(req) or scen.force_close or scen.framing == "close"
                   or scen.delivery in ("cut", "reset", "stall", "hang"))
        if resp.status in (429, 503) and not any(h[0] == "Retry-After" for h in resp.headers):
            add_retry_after(resp, scen)
        head, body = build_response(resp, scen, closing, f"{self.no}-{self.nreq}")
        interim = build_interim(scen)
        if scen.delivery == "hang":
            self.wait_for_peer()
            return False
        stream = interim + [head] + body
        if scen.delivery in ("cut", "reset"):
            stream = take(stream, sum(map(len, interim + [head])) + sum(map(len, body)) // 2)
        elif scen.delivery == "stall":
            stream = interim + [head]
        if scen.drip_ms:
            self.drip(b"".join(stream), scen.drip_ms / 1000.0, scen.drip_bytes)
        else:
            for piece in stream:
                self.send(piece)
        if scen.delivery == "reset":
            time.sleep(0.05)
            self.abort()
            return False
        if scen.delivery == "stall":
            self.wait_for_peer()
            return False
        if closing or scen.silent_close:
            self.close(notify=scen.close_notify)
            return False
        return True

    def drip(self, data, delay, n):
        for k in range(0, len(data), n):
            if self.srv.stopping():
                raise OSError("server stopping")
            self.send(data[k:k + n])
            time.sleep(delay)


def take(pieces, limit):
    out = []
    for p in pieces:
        if limit <= 0:
            break
        out.append(p[:limit])
        limit -= len(p)
    return out


def build_interim(scen):
    if not scen.interim:
        return []
    return [b"HTTP/1.1 100 Continue\r\n\r\n",
            b"HTTP/1.1 103 Early Hints\r\nLink: </static/app.css>; rel=preload; as=style\r\n\r\n"]


def chunk_body(body, seed):
    """Chunked transfer coding: random sizes, varied hex spelling, extensions, trailer."""
    rnd = random.Random(seed)
    exts = [";ext=1", ';q="a b"', "", ";flag", ""]
    out, pos, n = [], 0, 0
    while pos < len(body):
        size = rnd.choice([1, 2, 3, 7, 16, 100, 255, 256, 1000, 4096, rnd.randint(1, 9000)])
        piece = body[pos:pos + size]
        pos += len(piece)
        hexs = format(len(piece), "x")
        hexs = (hexs, hexs.upper(), "00" + hexs, hexs)[n % 4]
        out.append(f"{hexs}{exts[n % len(exts)]}\r\n".encode() + piece + b"\r\n")
        n += 1
    out.append(b"0;ext=1\r\nX-Trailer: 1\r\n\r\n")
    return out


EXTRA_JUNK = b'\r\n{"status":"failed","result":"error","diff_stats":null}\r\n'  # 58 bytes


def build_response(resp, scen, closing, request_id):
    """(head bytes, [body pieces]) for resp under scen."""
    reason = REASONS.get(resp.status, "Unknown")
    if scen.status_line == "no-reason":
        status_line = f"HTTP/1.1 {resp.status}"
    elif scen.status_line == "no-reason-sp":
        status_line = f"HTTP/1.1 {resp.status} "
    else:
        status_line = f"HTTP/1.1 {resp.status} {reason}"
    hdrs = [("Date", http_date(resp.now)), ("Server", "mockapi")]
    if resp.ctype:
        hdrs.append(("Content-Type", resp.ctype))
    hdrs += resp.headers
    if scen.big_headers:
        cookie = "session=" + "a1B2c3D4" * 1024
        hdrs.append(("Set-Cookie", cookie[: 8192 - 26] + "; Path=/; Secure; HttpOnly"))
        csp = "default-src 'self'; " + "".join(
            f"script-src-elem https://cdn{k}.example.com 'sha256-{'A' * 43}='; "
            for k in range(200))
        hdrs.append(("Content-Security-Policy", csp[: 16384 - 1] + ";"))
    hdrs.append(("X-Request-Id", request_id))
    body = resp.body
    if scen.framing == "chunked":
        hdrs += [("Transfer-Encoding", "chunked"), ("Trailer", "X-Trailer")]
        pieces = chunk_body(body, zlib.crc32(body[:64]) ^ len(body))
    elif scen.framing == "close":
        pieces = [body]
    else:
        length = len(body)
        pieces = [body]
        if scen.extra == "after":
            pieces.append(EXTRA_JUNK)
        elif scen.extra == "short":
            length = max(0, length - 17)
        hdrs.append(("Content-Length", str(length)))
    if closing:
        hdrs.append(("Connection", "close"))
    if scen.lower_headers:
        hdrs = [(k.lower(), v) for k, v in hdrs]
    head = status_line + "\r\n" + "".join(f"{k}: {v}\r\n" for k, v in hdrs) + "\r\n"
    return head.encode("latin-1"), [p for p in pieces if p]


# =====================================================================================
# Server
# =====================================================================================

class Server:
    def __init__(self, args):
        self.args = args
        self.app = App(args.key_required, args.fixtures)
        self.stats = Stats(args.stats_file)
        self.ctx = make_context(args) if args.cert else None
        self._stop = threading.Event()
        self.deadline = time.monotonic() + args.max_seconds
        self.parent = os.getppid()

    def stopping(self):
        return self._stop.is_set() or time.monotonic() > self.deadline

    def stop(self, *_):
        self._stop.set()

    def run(self):
        family = socket.AF_INET6 if ":" in self.args.bind else socket.AF_INET
        ls = socket.socket(family, socket.SOCK_STREAM)
        ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        ls.bind((self.args.bind, self.args.port))
        ls.listen(64)
        ls.settimeout(0.2)
        port = ls.getsockname()[1]
        if self.args.port_file:
            tmp = f"{self.args.port_file}.tmp{os.getpid()}"
            with open(tmp, "w") as f:
                f.write(f"{port}\n")
            os.replace(tmp, self.args.port_file)
        host = f"[{self.args.bind}]" if family == socket.AF_INET6 else self.args.bind
        print(f"listening on {host}:{port}", flush=True)
        number = 0
        while not self.stopping():
            if self.args.exit_with_parent and os.getppid() != self.parent:
                log("parent process is gone, exiting")
                break
            try:
                sock, _ = ls.accept()
            except socket.timeout:
                continue
            except OSError as e:
                log(f"accept failed: {e}")
                continue
            number += 1
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)  # pieces go out now
            conn = Conn(self, sock, number)
            threading.Thread(target=conn.serve, name=f"conn-{number}", daemon=True).start()
        if time.monotonic() > self.deadline:
            log(f"--max-seconds {self.args.max_seconds:g} reached, exiting")
        ls.close()
        self.stats.write()


def make_context(args):
    versions = {"1.2": ssl.TLSVersion.TLSv1_2, "1.3": ssl.TLSVersion.TLSv1_3}
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(args.cert, args.key)
    ctx.minimum_version = versions[args.tls_min]
    ctx.maximum_version = versions[args.tls_max]
    ctx.set_alpn_protocols(["http/1.1"])
    if args.ciphers:
        ctx.set_ciphers(args.ciphers)
    if args.no_tickets:
        ctx.options |= ssl.OP_NO_TICKET
    if args.keylog:
        ctx.keylog_filename = args.keylog

    def sni(sslsock, name, _ctx):
        sslsock.mock_sni = name
    ctx.sni_callback = sni
    return ctx


def parse_args(argv):
    p = argparse.ArgumentParser(description="Mock Datafold data-diff API for dfdiff tests.")
    p.add_argument("--port", type=int, default=0, help="TCP port (0: pick a free one)")
    p.add_argument("--port-file", help="write the port number here once listening")
    p.add_argument("--bind", default="127.0.0.1", choices=["127.0.0.1", "::1"])
    p.add_argument("--cert", help="certificate chain (PEM) - enables TLS")
    p.add_argument("--key", help="private key (PEM) for --cert")
    p.add_argument("--tls-min", default="1.2", choices=["1.2", "1.3"])
    p.add_argument("--tls-max", default="1.3", choices=["1.2", "1.3"])
    p.add_argument("--ciphers", help="OpenSSL cipher list for TLS 1.2")
    p.add_argument("--no-tickets", action="store_true",
                   help="no session tickets (session-ID resumption only)")
    p.add_argument("--keylog", help="write TLS secrets here (NSS key log format)")
    p.add_argument("--key-required", default="test-key", help="the API key (default test-key)")
    p.add_argument("--fixtures", help="directory of {id}.json bodies served with 200")
    p.add_argument("--close-after-response", action="store_true")
    p.add_argument("--stats-file", help="JSON stats, rewritten after every connection event")
    p.add_argument("--max-seconds", type=float, default=600, help="exit after this long")
    p.add_argument("--idle-timeout", type=float, default=30, help="per-socket timeout")
    p.add_argument("--exit-with-parent", action="store_true",
                   help="exit when the parent process goes away")
    p.add_argument("--quiet", action="store_true", help="no per-request log lines")
    p.add_argument("--print-body", type=int, metavar="ID",
                   help="print the generated body for ID (1-999) and exit")
    p.add_argument("--list-scenarios", action="store_true", help="print the scenarios and exit")
    a = p.parse_args(argv)
    if bool(a.cert) != bool(a.key):
        p.error("--cert and --key go together")
    if a.tls_min > a.tls_max:
        p.error("--tls-min is above --tls-max")
    return a


def main(argv):
    global QUIET
    args = parse_args(argv)
    if args.print_body is not None:
        sys.stdout.buffer.write(generated_body(args.print_body))
        return 0
    if args.list_scenarios:
        for rx, _, desc in SCENARIOS:
            print(f"{rx:50} {desc}")
        return 0
    QUIET = args.quiet
    try:
        server = Server(args)
    except (OSError, ssl.SSLError) as e:
        sys.stderr.write(f"mockapi: cannot set up TLS: {e}\n")
        return 2
    signal.signal(signal.SIGTERM, server.stop)
    signal.signal(signal.SIGINT, server.stop)
    try:
        server.run()
    except OSError as e:
        sys.stderr.write(f"mockapi: cannot listen on {args.bind}:{args.port}: {e}\n")
        return 2
    return 0


if __name__ == "__main__":
    rc = main(sys.argv[1:])
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(rc)
