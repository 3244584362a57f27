#!/usr/bin/env python3
"""Independent oracle for `dfdiff parse --json`.

Given the bytes of a response body, computes what the command must print and its exit
code, following docs/EXTRACTOR.md and the `parse --json` contract, with nothing shared
with the C code:

* validity and the error kind come from a small byte-level classifier written here
  (first error in stream order wins, like the extractor), cross-checked against
  Python's json module (strict UTF-8 decoding, NaN/Infinity rejected, BOM rejected);
* field values come from Python's json module, with numbers kept as their exact text.

Field values are returned as *accept sets*: normally one value, several only where the
extractor's fixed member budget (DFD_MEMBER_BUF bytes / DFD_MEMBER_TOKENS jsmn tokens
per wanted member, EXTRACTOR.md step 3) makes the outcome depend on details the document
leaves open (exact whitespace handling, room reserved for closing brackets).
ERROR_BODY_OUTPUT below chooses how an API error body (exit 6) may be reported.

Command line:
  oracle.py FILE...                 expected line / exit code / error kind for each file
  oracle.py parse --json [FILE|-]   behave like `dfdiff parse --json` (a reference model)
"""

import json
import math
import os
import re
import sys

# --- sizes: read from src/dfd_config.h, so the oracle follows the configuration --------
def _config_sizes():
    path = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(
        os.path.abspath(__file__)))), "src", "dfd_config.h")
    sizes = {}
    with open(path) as f:
        for m in re.finditer(r"#define (DFD_\w+) (\d+)", f.read()):
            sizes[m.group(1)] = int(m.group(2))
    return sizes


_SIZES = _config_sizes()
DEPTH_MAX = _SIZES["DFD_JSON_DEPTH_MAX"]
ENUM_TEXT_MAX = _SIZES["DFD_ENUM_TEXT_MAX"]
KIND_MAX = _SIZES["DFD_KIND_MAX"]
TIME_MAX = _SIZES["DFD_TIME_MAX"]
TABLE_MAX = _SIZES["DFD_TABLE_MAX"]
ERROR_TYPE_MAX = _SIZES["DFD_ERROR_TYPE_MAX"]
ERROR_TEXT_MAX = _SIZES["DFD_ERROR_TEXT_MAX"]
MEMBER_BUF = _SIZES["DFD_MEMBER_BUF"] - DEPTH_MAX - 1  # room kept for closing brackets
MEMBER_TOKENS = _SIZES["DFD_MEMBER_TOKENS"]
MEMBER_STRING_MAX = _SIZES["DFD_MEMBER_STRING_MAX"]
# Bytes a copy may keep back for closing brackets / terminator: an element that ends
# within this distance of the buffer's end may or may not be kept.
CLOSE_MARGIN = 40

INT64_MIN = -(2 ** 63)
INT64_MAX = 2 ** 63 - 1

# --- error kinds (fixture file-name prefixes) and the text stderr must contain -------
KIND_MESSAGES = {
    "notjson": "not JSON",
    "notobject": "not an object",
    "truncated": "truncated",
    "toodeep": "deeper",
    "escape": "escape",
    "number": "invalid number",
    "string": "control character or bad UTF-8",
    "syntax": "syntax error",
    "trailing": "followed by unexpected data",
}

EXIT_INVALID = 6

# What `parse --json` prints for an API error body (exit 6). The brief lists error bodies
# among the valid documents, which suggests the usual JSON line; an implementation may
# instead print nothing on stdout and the error's title/detail on stderr, as it does for
# invalid documents. "line": only the JSON line; "stderr": only empty stdout plus the
# error text on stderr; "either": both forms accepted, each checked in full.
ERROR_BODY_OUTPUT = "line"

JOB_STATUSES = ("needs_confirmation", "needs_authentication", "waiting", "processing",
                "done", "failed", "cancelled")
RESULTS = ("identical", "different", "missing-pks", "bad-pks", "empty", "error")


# ======================================================================================
# Byte-level classifier
# ======================================================================================

class Invalid(Exception):
    def __init__(self, kind, offset, why):
        super().__init__("%s at byte %d: %s" % (kind, offset, why))
        self.kind = kind
        self.offset = offset
        self.why = why


_WS = re.compile(rb"[ \t\r\n]*")
# A run of bytes that need no attention inside a string: printable ASCII except '"' and
# '\', and complete well-formed UTF-8 sequences (RFC 3629: no overlongs, no surrogates,
# nothing above U+10FFFF).
_STR_RUN = re.compile(
    rb"(?:[\x20\x21\x23-\x5b\x5d-\x7f]+"
    rb"|[\xc2-\xdf][\x80-\xbf]"
    rb"|\xe0[\xa0-\xbf][\x80-\xbf]"
    rb"|[\xe1-\xec\xee\xef][\x80-\xbf]{2}"
    rb"|\xed[\x80-\x9f][\x80-\xbf]"
    rb"|\xf0[\x90-\xbf][\x80-\xbf]{2}"
    rb"|[\xf1-\xf3][\x80-\xbf]{3}"
    rb"|\xf4[\x80-\x8f][\x80-\xbf]{2})*")
_NUM_RUN = re.compile(rb"[0-9eE.+\-]*")
_NUM_OK = re.compile(rb"-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?\Z")
_NUM_PREFIX = re.compile(
    rb"-?(?:(?:0|[1-9][0-9]*)(?:\.[0-9]*|\.[0-9]+[eE][+-]?[0-9]*|[eE][+-]?[0-9]*)?)?\Z")
_HEX = frozenset(b"0123456789abcdefABCDEF")
_SIMPLE_ESC = frozenset(b'"\\/bfnrt')
_VALUE_START = frozenset(b'{["-0123456789tfn')


def _utf8_need(lead):
    """(length, allowed range of the 2nd byte) of a UTF-8 lead byte, or None."""
    if 0xC2 <= lead <= 0xDF:
        return 2, (0x80, 0xBF)
    if lead == 0xE0:
        return 3, (0xA0, 0xBF)
    if lead == 0xED:
        return 3, (0x80, 0x9F)
    if 0xE1 <= lead <= 0xEF:
        return 3, (0x80, 0xBF)
    if lead == 0xF0:
        return 4, (0x90, 0xBF)
    if 0xF1 <= lead <= 0xF3:
        return 4, (0x80, 0xBF)
    if lead == 0xF4:
        return 4, (0x80, 0x8F)
    return None


def _scan_string(b, pos):
    """b[pos] is '"'. Returns the offset just past the closing quote."""
    n = len(b)
    i = pos + 1
    while True:
        i = _STR_RUN.match(b, i).end()
        if i >= n:
            raise Invalid("truncated", i, "body ends inside a string")
        c = b[i]
        if c == 0x22:
            return i + 1
        if c == 0x5C:
            if i + 1 >= n:
                raise Invalid("truncated", i + 1, "body ends inside an escape")
            e = b[i + 1]
            if e in _SIMPLE_ESC:
                i += 2
            elif e == 0x75:  # u
                for k in range(2, 6):
                    if i + k >= n:
                        raise Invalid("truncated", i + k, "body ends inside a \\u escape")
                    if b[i + k] not in _HEX:
                        raise Invalid("escape", i + k, "\\u needs four hex digits")
                i += 6
            else:
                raise Invalid("escape", i + 1, "unknown escape \\%s" % chr(e))
        elif c < 0x20:
            raise Invalid("string", i, "raw control character 0x%02x in a string" % c)
        else:
            need = _utf8_need(c)
            if need is None:
                raise Invalid("string", i, "invalid UTF-8 lead byte 0x%02x" % c)
            length, (lo, hi) = need
            for k in range(1, length):
                if i + k >= n:
                    raise Invalid("truncated", i + k, "body ends inside a UTF-8 sequence")
                x = b[i + k]
                ok = (lo <= x <= hi) if k == 1 else (0x80 <= x <= 0xBF)
                if not ok:
                    raise Invalid("string", i + k, "invalid UTF-8 continuation 0x%02x" % x)
            raise AssertionError("unreachable: a valid sequence stops the run regex")


def _scan_number(b, pos):
    n = len(b)
    end = _NUM_RUN.match(b, pos).end()
    text = b[pos:end]
    if _NUM_OK.match(text):
        if end >= n:
            raise Invalid("truncated", end, "body ends after a number")
        return end
    if end >= n and _NUM_PREFIX.match(text):
        raise Invalid("truncated", end, "body ends inside a number")
    raise Invalid("number", pos, "invalid number %r" % text.decode("latin-1"))


def _scan_literal(b, pos):
    n = len(b)
    word = {0x74: b"true", 0x66: b"false", 0x6E: b"null"}[b[pos]]
    for k in range(len(word)):
        if pos + k >= n:
            raise Invalid("truncated", pos + k, "body ends inside a literal")
        if b[pos + k] != word[k]:
            raise Invalid("syntax", pos + k, "bad literal")
    return pos + len(word)


class Member:
    """A top-level member as seen by the byte scanner."""
    __slots__ = ("key", "start", "end", "ws", "marks")

    def __init__(self, key, start):
        self.key = key
        self.start = start  # offset of the value's first byte
        self.end = None
        self.ws = 0  # whitespace bytes inside the value (outside strings)
        self.marks = []  # for a container value: self.ws when each element ended


def scan(b):
    """Validates a body. Returns the list of top-level Members, or raises Invalid."""
    n = len(b)
    pos = _WS.match(b, 0).end()
    if pos >= n:
        raise Invalid("notjson", pos, "empty body")
    c = b[pos]
    if c != 0x7B:
        if c in _VALUE_START:
            raise Invalid("notobject", pos, "top-level value is not an object")
        raise Invalid("notjson", pos, "first byte 0x%02x cannot start JSON" % c)

    VALUE, OBJ_FIRST, OBJ_KEY, ARR_FIRST, COLON, AFTER = range(6)
    stack = []  # 0x7B / 0x5B
    members = []
    cur = None  # current top-level Member
    state = VALUE
    while True:
        m = _WS.match(b, pos)
        if len(stack) >= 2 and cur is not None:
            cur.ws += m.end() - pos
        pos = m.end()
        if pos >= n:
            raise Invalid("truncated", pos, "body ends inside the document")
        c = b[pos]
        if state == VALUE:
            start = pos
            if c == 0x7B or c == 0x5B:
                stack.append(c)
                if len(stack) > DEPTH_MAX:
                    raise Invalid("toodeep", pos, "nesting level %d" % len(stack))
                pos += 1
                state = OBJ_FIRST if c == 0x7B else ARR_FIRST
                continue
            if c == 0x22:
                pos = _scan_string(b, pos)
            elif c == 0x2D or 0x30 <= c <= 0x39:
                pos = _scan_number(b, pos)
            elif c in (0x74, 0x66, 0x6E):
                pos = _scan_literal(b, pos)
            else:
                raise Invalid("syntax", pos, "expected a value, got 0x%02x" % c)
            state = AFTER
            if len(stack) == 1 and cur is not None:
                cur.end = pos
            elif len(stack) == 2 and cur is not None:
                cur.marks.append(cur.ws)
        elif state == OBJ_FIRST or state == OBJ_KEY:
            if c == 0x22:
                kend = _scan_string(b, pos)
                if len(stack) == 1:
                    key = json.loads(b[pos:kend].decode("utf-8"))
                    cur = Member(key, None)
                    members.append(cur)
                pos = kend
                state = COLON
            elif c == 0x7D and state == OBJ_FIRST:
                pos = _close(b, stack, pos, cur)
                if not stack:
                    break
                state = AFTER
            else:
                raise Invalid("syntax", pos, "expected a key")
        elif state == ARR_FIRST:
            if c == 0x5D:
                pos = _close(b, stack, pos, cur)
                state = AFTER
            else:
                state = VALUE
        elif state == COLON:
            if c != 0x3A:
                raise Invalid("syntax", pos, "expected ':'")
            pos += 1
            state = VALUE
            if len(stack) == 1:
                cur.start = _WS.match(b, pos).end()
        else:  # AFTER
            top = stack[-1]
            if c == 0x2C:
                pos += 1
                state = OBJ_KEY if top == 0x7B else VALUE
            elif (c == 0x7D and top == 0x7B) or (c == 0x5D and top == 0x5B):
                pos = _close(b, stack, pos, cur)
                if not stack:
                    break
            else:
                raise Invalid("syntax", pos, "expected ',' or a closing bracket")
    pos = _WS.match(b, pos).end()
    if pos < n:
        raise Invalid("trailing", pos, "data after the top-level object")
    return members


def _close(b, stack, pos, cur):
    stack.pop()
    pos += 1
    if len(stack) == 1 and cur is not None:
        cur.end = pos
    elif len(stack) == 2 and cur is not None:
        cur.marks.append(cur.ws)
    return pos


# ======================================================================================
# Values (Python's json module, numbers kept as text)
# ======================================================================================

class Obj(list):
    """A JSON object as its ordered list of (key, value) pairs (duplicates kept)."""

    def get(self, key, default=None):
        for k, v in reversed(self):  # the last occurrence wins
            if k == key:
                return v
        return default

    def has(self, key):
        return any(k == key for k, _ in self)


_INT_TEXT = re.compile(r"-?[0-9]+\Z")
_NUM_PARTS = re.compile(r"(-?)([0-9]+)(?:\.([0-9]+))?(?:[eE]([+-]?[0-9]+))?\Z")


class Num:
    """A JSON number, kept as its text."""
    __slots__ = ("text",)

    def __init__(self, text):
        self.text = text

    def __repr__(self):
        return "Num(%s)" % self.text

    def exact_int(self):
        """The value as an int when it is an exact integer in int64 range, else None.
        Exact decimal arithmetic: 1e3 -> 1000, 1.5e3 -> 1500, 2.5 -> None, 1e30 -> None."""
        m = _NUM_PARTS.match(self.text)
        sign, ip, fp, ex = m.group(1), m.group(2), m.group(3) or "", int(m.group(4) or 0)
        digits = (ip + fp).lstrip("0")
        if not digits:
            return 0
        exp10 = ex - len(fp)
        stripped = digits.rstrip("0")
        exp10 += len(digits) - len(stripped)
        digits = stripped
        if exp10 < 0:
            return None  # a nonzero fractional part
        if len(digits) + exp10 > 19:
            return None  # at least 10**19 > INT64_MAX
        v = int(digits) * 10 ** exp10
        if sign:
            v = -v
        return v if INT64_MIN <= v <= INT64_MAX else None

    def number(self):
        """`number` fields: an int when the text is an integer fitting int64, else the
        correctly rounded double (Python's float() is correctly rounded)."""
        if _INT_TEXT.match(self.text):
            v = int(self.text)
            if INT64_MIN <= v <= INT64_MAX:
                return v
        return float(self.text)


def _reject_constant(name):
    raise ValueError("non-standard constant %s" % name)


def load_values(b):
    """Python's json module over the body: strict UTF-8, no BOM, no NaN/Infinity."""
    text = b.decode("utf-8")  # strict: overlongs, surrogates, > U+10FFFF all rejected
    return json.loads(text, object_pairs_hook=Obj, parse_int=Num, parse_float=Num,
                      parse_constant=_reject_constant)


# ======================================================================================
# Field rules
# ======================================================================================

_BAD_CHARS = re.compile("[\x00\ud800-\udfff]")


def fix_string(s):
    """Lone surrogates and U+0000 become U+FFFD (json already joined valid pairs)."""
    return _BAD_CHARS.sub("\ufffd", s)


def cut(s, max_bytes):
    """Cut to at most max_bytes of UTF-8 at a character boundary."""
    raw = s.encode("utf-8")
    if len(raw) <= max_bytes:
        return s
    return raw[:max_bytes].decode("utf-8", "ignore")


def str_field(v, size):
    if isinstance(v, str):
        return cut(cut(fix_string(v), MEMBER_STRING_MAX), size - 1)
    return None


def int_field(v):
    return v.exact_int() if isinstance(v, Num) else None


def num_field(v):
    return v.number() if isinstance(v, Num) else None


def bool_field(v):
    return v if isinstance(v, bool) else None


def table_field(v):
    if isinstance(v, str):
        return str_field(v, TABLE_MAX)
    if isinstance(v, list) and not isinstance(v, Obj):
        if any(not isinstance(x, str) for x in v):
            return None
        joined = ".".join(cut(fix_string(x), MEMBER_STRING_MAX) for x in v)
        return cut(joined, TABLE_MAX - 1)
    return None


PROGRESS_FIELDS = (("completed_steps", int_field), ("total_steps", int_field))
STATS_FIELDS = (
    ("rows_added", int_field), ("rows_removed", int_field), ("diff_rows_count", int_field),
    ("match_ratio", num_field), ("table_a_row_count", int_field),
    ("table_b_row_count", int_field), ("diff_pks", num_field), ("diff_values", num_field),
    ("diff_schema", num_field), ("diff_duplicate_pks", num_field),
    ("diff_null_pks", num_field), ("errors", int_field), ("sampled", bool_field))

# Output template: (output key, source) in the order the command prints them.
TOP_KEYS = ("id", "status", "done", "result", "kind", "progress", "stats", "runtime",
            "created_at", "finished_at", "table1", "table2", "error")
INT_PATHS = {"id", "progress.completed_steps", "progress.total_steps"} | {
    "stats." + k for k, f in STATS_FIELDS if f is int_field}
NUM_PATHS = {"runtime"} | {"stats." + k for k, f in STATS_FIELDS if f is num_field}


# --- member budget model --------------------------------------------------------------

def _esc_len(raw, ctl):
    n = 0
    for c in raw:
        if c == 0x22 or c == 0x5C:
            n += 2
        elif c < 0x20:
            n += ctl
        else:
            n += 1
    return n


def norm_size(v):
    """(lo, hi, tokens) of a value once copied to the member buffer: strings decoded,
    cut at MEMBER_STRING_MAX bytes and re-escaped (controls as \\u00XX), whitespace not
    counted here. lo allows for a cut a few bytes earlier and shorter escapes."""
    if isinstance(v, str):
        raw = fix_string(v).encode("utf-8")
        hi = _esc_len(raw[:MEMBER_STRING_MAX], 6) + 2
        lo = _esc_len(raw[:MEMBER_STRING_MAX - 4], 2) + 2
        return lo, hi, 1
    if isinstance(v, Num):
        n = len(v.text)
        return n, n, 1
    if v is True or v is None:
        return 4, 4, 1
    if v is False:
        return 5, 5, 1
    if isinstance(v, Obj):
        lo = hi = 2 + max(len(v) - 1, 0)
        tok = 1
        for k, x in v:
            a = norm_size(k)
            c = norm_size(x)
            lo += a[0] + 1 + c[0]
            hi += a[1] + 1 + c[1]
            tok += 1 + c[2]
        return lo, hi, tok
    lo = hi = 2 + max(len(v) - 1, 0)
    tok = 1
    for x in v:
        c = norm_size(x)
        lo += c[0]
        hi += c[1]
        tok += c[2]
    return lo, hi, tok


def kept_range(v, marks):
    """For a container member value: the range of how many leading elements the copy
    keeps, as (surely kept, at most kept). marks[i]: whitespace bytes in the raw value
    up to the end of element i (in case the copy keeps whitespace)."""
    lo_end = hi_end = 1
    tok_end = 2  # the copy's wrapper array and the container itself
    first_unsure = None
    count = len(v)
    for i, el in enumerate(v):
        if isinstance(v, Obj):
            k, x = el
            a, c = norm_size(k), norm_size(x)
            size_lo, size_hi, tok = a[0] + 1 + c[0], a[1] + 1 + c[1], 1 + c[2]
        else:
            size_lo, size_hi, tok = norm_size(el)
        sep = 1 if i else 0
        lo_end += sep + size_lo
        hi_end += sep + size_hi
        tok_end += tok
        if lo_end + 1 > MEMBER_BUF or tok_end > MEMBER_TOKENS:
            return (i if first_unsure is None else first_unsure), i
        # whitespace is never copied: marks[i] does not count
        if first_unsure is None and (hi_end + CLOSE_MARGIN > MEMBER_BUF):
            first_unsure = i
    return (count if first_unsure is None else first_unsure), count


def scalar_fits(v, ws):
    """True when a scalar member surely fits the member buffer."""
    return norm_size(v)[1] + CLOSE_MARGIN <= MEMBER_BUF  # whitespace is never copied


class Accept:
    """The acceptable outputs for one field."""

    def __init__(self, values, prefix_ok=False):
        self.values = []
        for x in values:
            if not any(_same(x, y) for y in self.values):
                self.values.append(x)
        self.prefix_ok = prefix_ok  # any UTF-8 prefix of a string value, or null

    def first(self):
        return self.values[0]

    def __repr__(self):
        return "Accept(%r%s)" % (self.values, ", prefix_ok" if self.prefix_ok else "")


def _same(a, b):
    return type(a) is type(b) and (a == b or (a != a and b != b))


class Expected:
    def __init__(self):
        self.invalid = None  # Invalid, when the body must be rejected
        self.fields = {}  # output path -> Accept
        self.error_is_object = Accept([False])
        self.exit_codes = set()
        self.error_body = Accept([False])
        self.error_texts = []  # title / detail / detail[0].msg of an error body
        self.notes = []

    def render(self):
        """The line a correct implementation prints (first candidate of each field)."""
        out = {}
        for key in TOP_KEYS:
            if key == "progress":
                out[key] = {k: self.fields["progress." + k].first() for k, _ in PROGRESS_FIELDS}
            elif key == "stats":
                out[key] = {k: self.fields["stats." + k].first() for k, _ in STATS_FIELDS}
            elif key == "error":
                if self.error_is_object.first():
                    out[key] = {"type": self.fields["error.type"].first(),
                                "value": self.fields["error.value"].first()}
                else:
                    out[key] = None
            else:
                out[key] = self.fields[key].first()
        return json.dumps(out, ensure_ascii=False, separators=(",", ":"))


def _member_candidates(top, members_ws, name, notes):
    """Possible values of top-level member `name` after the copy into the member buffer:
    a list of values (prefixes of a container when the budget is exceeded)."""
    if not top.has(name):
        return [None], False
    v = top.get(name)
    m = members_ws.get(name)
    if isinstance(v, (Obj, list)):
        assert len(m.marks) == len(v), (name, len(m.marks), len(v))
        lo, hi = kept_range(v, m.marks)
        if lo == len(v):
            return [v], False
        notes.append("%s exceeds the member budget: %s of %d elements kept (or all)" % (
            name, str(lo) if lo == hi else "%d..%d" % (lo, hi), len(v)))
        cls = Obj if isinstance(v, Obj) else list
        # EXTRACTOR.md step 3 keeps what fitted; an extractor that keeps everything is
        # at least as right, so the whole value is accepted too.
        return [cls(v[:j]) for j in range(lo, hi + 1)] + [v], False
    if scalar_fits(v, m.ws):
        return [v], False
    notes.append("%s may not fit the member buffer" % name)
    return [v], True


def expect(b):
    """Expected outcome of `dfdiff parse --json` on body bytes b."""
    exp = Expected()
    try:
        members = scan(b)
    except Invalid as e:
        exp.invalid = e
        exp.exit_codes = {EXIT_INVALID}
        if e.kind != "toodeep":  # json has no depth limit of its own
            try:
                v = load_values(b)
            except Exception:
                pass
            else:
                if e.kind != "notobject" or isinstance(v, Obj):
                    raise AssertionError(
                        "oracle disagreement: scanner says %s, json accepts" % e)
        return exp
    try:
        top = load_values(b)
    except Exception as e:
        raise AssertionError("oracle disagreement: scanner accepts, json says %s" % e)
    assert isinstance(top, Obj)
    members_ws = {m.key: m for m in members}  # last occurrence wins
    notes = exp.notes
    F = exp.fields

    def scalar(name, fn, path):
        cands, prefix = _member_candidates(top, members_ws, name, notes)
        F[path] = Accept([fn(c) for c in cands] + ([None] if prefix else []), prefix)
        return cands, prefix

    scalar("id", int_field, "id")
    scalar("status", lambda v: str_field(v, ENUM_TEXT_MAX), "status")
    scalar("done", bool_field, "done")
    scalar("result", lambda v: str_field(v, ENUM_TEXT_MAX), "result")
    scalar("kind", lambda v: str_field(v, KIND_MAX), "kind")
    scalar("runtime", num_field, "runtime")
    scalar("created_at", lambda v: str_field(v, TIME_MAX), "created_at")
    scalar("finished_at", lambda v: str_field(v, TIME_MAX), "finished_at")
    scalar("table1", table_field, "table1")
    scalar("table2", table_field, "table2")

    def sub(name, prefix, fields):
        cands, _ = _member_candidates(top, members_ws, name, notes)
        for key, fn in fields:
            F[prefix + key] = Accept([fn(c.get(key)) if isinstance(c, Obj) else None
                                      for c in cands])
        return cands

    sub("diff_progress", "progress.", PROGRESS_FIELDS)
    sub("diff_stats", "stats.", STATS_FIELDS)
    mon = sub("monitor_error", "error.", (("error_type", lambda v: str_field(v, ERROR_TYPE_MAX)),
                                          ("error_value", lambda v: str_field(v, ERROR_TEXT_MAX))))
    F["error.type"] = F.pop("error.error_type")
    F["error.value"] = F.pop("error.error_value")
    exp.error_is_object = Accept([isinstance(c, Obj) for c in mon])

    # Error bodies: no status, no id, but a string detail, detail[0].msg, or a title.
    det_cands, _ = _member_candidates(top, members_ws, "detail", notes)
    title_cands, title_prefix = _member_candidates(top, members_ws, "title", notes)

    def has_detail(d):
        if isinstance(d, str):
            return True
        if isinstance(d, list) and not isinstance(d, Obj) and d and isinstance(d[0], Obj):
            return isinstance(d[0].get("msg"), str)
        return False

    for d in det_cands:
        if has_detail(d):
            exp.error_texts.append(d if isinstance(d, str) else d[0].get("msg"))
    for t in title_cands:
        if isinstance(t, str):
            exp.error_texts.append(t)
    exp.error_texts = [cut(fix_string(t), ERROR_TEXT_MAX - 1) for t in exp.error_texts]
    details = {has_detail(d) for d in det_cands}
    titles = {isinstance(t, str) for t in title_cands} | ({False} if title_prefix else set())
    # The enum is decided on the whole decoded text, not on the 23 bytes printed.
    status_vals = [fix_string(v) if isinstance(v, str) else None
                   for v in _member_candidates(top, members_ws, "status", [])[0]]
    result_vals = [fix_string(v) if isinstance(v, str) else None
                   for v in _member_candidates(top, members_ws, "result", [])[0]]
    id_vals = F["id"].values
    bodies = set()
    for st in status_vals:
        for i in id_vals:
            for d in details:
                for t in titles:
                    bodies.add(st is None and i is None and (d or t))
    exp.error_body = Accept(sorted(bodies))

    for body in bodies:
        if body:
            exp.exit_codes.add(EXIT_INVALID)
            continue
        for st in status_vals:
            for r in result_vals:
                exp.exit_codes.add(exit_code(st, r))
        if F["result"].prefix_ok:
            for st in status_vals:
                exp.exit_codes.add(exit_code(st, "\0unknown"))
                exp.exit_codes.add(exit_code(st, None))
        if F["status"].prefix_ok:
            exp.exit_codes.add(3)
            exp.exit_codes.add(exit_code(None, None))
    for path, acc in F.items():
        for x in acc.values:
            if isinstance(x, float) and not math.isfinite(x):
                notes.append("%s is %r: how it prints is not specified" % (path, x))
    return exp


def exit_code(status, result):
    if status == "done":
        if result in ("identical", "empty"):
            return 0
        if result in ("different", "missing-pks", "bad-pks"):
            return 1
        if result == "error" or result is None:
            return 2
        return 1  # an unknown result
    if status in ("failed", "cancelled"):
        return 2
    return 3


# ======================================================================================
# Comparing a run of the command with the expectation
# ======================================================================================

def _reject_any_constant(name):
    raise ValueError("%s is not JSON" % name)


def parse_output_line(stdout):
    """Parses the command's stdout. Returns (value, problems)."""
    problems = []
    if not stdout.endswith(b"\n"):
        problems.append("stdout does not end with a newline")
    if b"\n" in stdout[:-1]:
        problems.append("stdout has more than one line")
    try:
        text = stdout.decode("utf-8")
    except UnicodeDecodeError as e:
        return None, problems + ["stdout is not valid UTF-8: %s" % e]
    try:
        val = json.loads(text, object_pairs_hook=Obj, parse_constant=_reject_any_constant)
    except ValueError as e:
        return None, problems + ["stdout is not valid JSON (%s): %r" % (e, text[:300])]
    return val, problems


def numbers_close(exp, got):
    """got (int or float, parsed from the output) against an expected double: equal,
    within relative 1e-9, or exactly what %.Ng prints for some N in 9..17."""
    if isinstance(got, bool) or not isinstance(got, (int, float)):
        return False
    g = float(got)
    if g == exp:
        return True
    if math.isclose(g, exp, rel_tol=1e-9, abs_tol=0.0):
        return True
    for sig in range(9, 18):
        if float("%.*g" % (sig, exp)) == g:
            return True
    return False


def _match(exp, got, path):
    if exp is None:
        return got is None
    if isinstance(exp, bool):
        return isinstance(got, bool) and got == exp
    if isinstance(exp, int):
        return isinstance(got, int) and not isinstance(got, bool) and got == exp
    if isinstance(exp, float):
        return numbers_close(exp, got)
    if isinstance(exp, str):
        return isinstance(got, str) and got == exp
    raise AssertionError(exp)


def match_field(acc, got, path):
    if any(_match(x, got, path) for x in acc.values):
        return True
    if acc.prefix_ok and (got is None or (isinstance(got, str) and any(
            isinstance(x, str) and x.startswith(got) for x in acc.values))):
        return True
    return False


def _fmt(acc):
    vals = " or ".join(json.dumps(x, ensure_ascii=True) if not isinstance(x, float)
                       else repr(x) for x in acc.values)
    return vals + (" (or a prefix, or null)" if acc.prefix_ok else "")


def compare(exp, rc, stdout, stderr):
    """Differences between a run (exit code, stdout bytes, stderr bytes) and exp."""
    diffs = []
    if exp.invalid is not None:
        kind = exp.invalid.kind
        if rc != EXIT_INVALID:
            diffs.append("exit code %s, expected %d (%s)" % (rc, EXIT_INVALID, exp.invalid))
        if stdout:
            diffs.append("stdout should be empty, got %r" % stdout[:200])
        msg = KIND_MESSAGES[kind]
        if msg.encode() not in stderr:
            diffs.append("stderr should mention %r (%s), got %r" % (msg, kind, stderr[:300]))
        return diffs
    if rc not in exp.exit_codes:
        diffs.append("exit code %s, expected %s" % (
            rc, " or ".join(str(c) for c in sorted(exp.exit_codes))))
    if exp.error_body.values == [True]:
        if ERROR_BODY_OUTPUT == "stderr" or (ERROR_BODY_OUTPUT == "either" and not stdout):
            if stdout:
                diffs.append("an error body should print nothing on stdout, got %r" % stdout[:200])
            # the error's text (its first 60 bytes: a message may cut or combine them)
            want = [cut(t, 60).encode() for t in exp.error_texts]
            if not any(w in stderr for w in want):
                diffs.append("stderr should show the error body's text (one of %s), got %r"
                             % (" / ".join(repr(w.decode()) for w in want), stderr[:300]))
            return diffs
    val, problems = parse_output_line(stdout)
    diffs.extend(problems)
    if val is None:
        if stderr:
            diffs.append("stderr: %r" % stderr[:300])
        return diffs
    if not isinstance(val, Obj):
        return diffs + ["stdout is not a JSON object"]
    keys = [k for k, _ in val]
    if keys != list(TOP_KEYS):
        diffs.append("top-level keys %s, expected %s" % (keys, list(TOP_KEYS)))
    for key in TOP_KEYS:
        got = val.get(key)
        if key in ("progress", "stats"):
            names = [k for k, _ in (PROGRESS_FIELDS if key == "progress" else STATS_FIELDS)]
            if not isinstance(got, Obj):
                diffs.append("%s: expected an object, got %s" % (key, json.dumps(got)))
                continue
            if [k for k, _ in got] != names:
                diffs.append("%s keys %s, expected %s" % (key, [k for k, _ in got], names))
            for k in names:
                _check(diffs, exp, key + "." + k, got.get(k))
        elif key == "error":
            is_obj = isinstance(got, Obj)
            if not match_field(exp.error_is_object, is_obj, key):
                diffs.append("error: expected %s, got %s" % (
                    "an object" if exp.error_is_object.first() else "null", _show(got)))
                continue
            if got is not None and not is_obj:
                diffs.append("error: expected null or an object, got %s" % _show(got))
                continue
            if is_obj:
                if [k for k, _ in got] != ["type", "value"]:
                    diffs.append("error keys %s, expected ['type', 'value']" % [k for k, _ in got])
                _check(diffs, exp, "error.type", got.get("type"))
                _check(diffs, exp, "error.value", got.get("value"))
        else:
            _check(diffs, exp, key, got)
    return diffs


def _show(v):
    if isinstance(v, Obj):
        return "{" + ",".join("%s:%s" % (json.dumps(k), _show(x)) for k, x in v) + "}"
    if isinstance(v, list):
        return "[" + ",".join(_show(x) for x in v) + "]"
    if isinstance(v, float):
        return repr(v)
    return json.dumps(v, ensure_ascii=True)


def _check(diffs, exp, path, got):
    acc = exp.fields[path]
    if not match_field(acc, got, path):
        diffs.append("%s: got %s, expected %s" % (path, _show(got), _fmt(acc)))


# ======================================================================================
# Command line
# ======================================================================================

def _reference_parse(args):
    """`oracle.py parse --json [FILE|-]`: what dfdiff parse --json should do."""
    if args[:1] != ["--json"] or len(args) > 2:
        print("usage: oracle.py parse --json [FILE|-]", file=sys.stderr)
        return 4
    path = args[1] if len(args) == 2 else "-"
    if path == "-":
        data = sys.stdin.buffer.read()
    else:
        with open(path, "rb") as f:
            data = f.read()
    exp = expect(data)
    if exp.invalid is not None:
        msgs = {
            "notjson": "response is not JSON",
            "notobject": "response JSON is not an object",
            "truncated": "response JSON is truncated",
            "toodeep": "response JSON nests deeper than the limit",
            "escape": "response JSON has an invalid string escape",
            "number": "response JSON has an invalid number",
            "string": "response JSON has a control character or bad UTF-8",
            "syntax": "response JSON has a syntax error",
            "trailing": "response JSON is followed by unexpected data",
        }
        print("oracle: %s (byte %d)" % (msgs[exp.invalid.kind], exp.invalid.offset),
              file=sys.stderr)
        return EXIT_INVALID
    sys.stdout.write(exp.render() + "\n")
    return min(exp.exit_codes)


def main(argv):
    if argv[:1] == ["parse"]:
        return _reference_parse(argv[1:])
    if not argv:
        print(__doc__, file=sys.stderr)
        return 2
    for path in argv:
        with open(path, "rb") as f:
            data = f.read()
        exp = expect(data)
        if exp.invalid is not None:
            print("%s: INVALID %s (%s)" % (path, exp.invalid.kind, exp.invalid))
        else:
            print("%s: exit %s %s" % (path, "/".join(map(str, sorted(exp.exit_codes))),
                                      exp.render()))
            for note in exp.notes:
                print("  # %s" % note)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
