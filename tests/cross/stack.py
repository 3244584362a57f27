#!/usr/bin/env python3
"""Worst-case stack of a call tree (one dfd_get) from GCC's own figures, over every object
of an image: dfdiff, its port, mbedTLS and lwIP.

- frames: -fstack-usage (.su) and the sizes -fcallgraph-info=su writes into its .ci nodes;
- calls: the .ci edges; an indirect call is an edge to "__indirect_call";
- indirect calls are resolved by C type: GCC's final GIMPLE (-fdump-tree-optimized) gives
  the function-pointer type of every pointer a function calls through and the prototype of
  every function; an indirect call may reach every function of the same type whose
  address the image takes (a relocation to it that is not a call or a branch); a pointer
  type no such function has (never set here, or set through a cast) may reach the
  address-taken functions whose type no called pointer has, with as many parameters;
- functions without .su/.ci (libc, libgcc, out-of-line parts GCC split off) are sized from
  the linked image's disassembly (Thumb prologues: push, vpush, sub sp; calls: bl, and
  branches to another function);
- a cycle (recursion, or a loop through indirect calls) may be passed once by a path, each
  of its functions once: it costs the sum of their frames; every cycle is listed;
- functions the image leaves undefined (the RTOS's sys_arch, the board's hooks) count 0.

usage: stack.py OBJDIR IMAGE.elf ROOT [--tool-prefix arm-none-eabi-] [--target NAME]
Prints a Markdown section."""
import argparse
import os
import re
import subprocess
import sys
from collections import defaultdict

NOT_ADDRESS = re.compile(r"(CALL|JUMP|PREL31|V4BX|NONE|TLS|RELAX|ALIGN|BRANCH|RVC_|JAL)")

# C types that are the same to a caller on a 32-bit target, spelled through typedefs.
CANON = {
    "uint8_t": "unsigned char", "u8_t": "unsigned char", "__uint8_t": "unsigned char",
    "int8_t": "signed char", "s8_t": "signed char", "__int8_t": "signed char",
    "err_t": "signed char",
    "uint16_t": "short unsigned int", "u16_t": "short unsigned int",
    "__uint16_t": "short unsigned int",
    "int16_t": "short int", "s16_t": "short int", "__int16_t": "short int",
    "uint32_t": "U32", "u32_t": "U32", "__uint32_t": "U32", "size_t": "U32",
    "long unsigned int": "U32", "unsigned int": "U32", "mem_size_t": "U32",
    "int32_t": "I32", "s32_t": "I32", "__int32_t": "I32", "long int": "I32", "int": "I32",
    "psa_status_t": "I32", "ssize_t": "I32", "socklen_t": "U32",
    "uint64_t": "U64", "__uint64_t": "U64", "long long unsigned int": "U64",
    "int64_t": "I64", "__int64_t": "I64", "long long int": "I64",
}
CANON_RE = re.compile(r"\b(" + "|".join(sorted((re.escape(k) for k in CANON), key=len,
                                                reverse=True)) + r")\b")


def canon_type(t):
    t = re.sub(r"\(\*(<T[0-9a-f]+>|[\w.]+)\)", "(*)", t)
    t = re.sub(r"\s+", " ", t).strip()
    t = CANON_RE.sub(lambda m: CANON[m.group(1)], t)
    return t.replace(" *", "*").replace("* ", "*")


def split_top(s):
    """Splits a parameter list at the commas outside parentheses."""
    parts, depth, cur = [], 0, ""
    for ch in s:
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        if ch == "," and depth == 0:
            parts.append(cur)
            cur = ""
        else:
            cur += ch
    if cur.strip():
        parts.append(cur)
    return [p.strip() for p in parts]


def strip_param_name(p):
    if "(*" in p:  # a function pointer parameter: "RET (*<T>) (ARGS) name"
        return p[:p.rindex(")") + 1]
    if p == "...":
        return p
    return p.rsplit(" ", 1)[0] if " " in p else p


def signature(ret, params):
    ps = [canon_type(p) for p in params]
    if ps in ([], ["void"]):
        ps = ["void"]
    return canon_type(ret) + " (" + ", ".join(ps) + ")"


FPTR = re.compile(r"^(.*?)\s*\(\*(?:<T[0-9a-f]+>|[\w.]+)?\)\s*\((.*)\)$")


def fptr_signature(t):
    m = FPTR.match(t.strip())
    return signature(m.group(1), split_top(m.group(2))) if m else None


def parse_gimple(path):
    """{asm name: (signature, {signatures of the pointers it calls through})}"""
    out = {}
    name = None
    header = None
    decls = {}
    icalls = set()
    with open(path, errors="replace") as f:
        lines = f.read().split("\n")
    for line in lines:
        m = re.match(r"^;; Function \S+ \((\S+), funcdef_no", line)
        if m:
            if name and header:
                out[name] = (header, icalls)
            name, header, decls, icalls = m.group(1), None, {}, set()
            continue
        if name is None:
            continue
        if header is None:
            m = re.match(r"^([A-Za-z_].*?)\s*\b[\w.]+ \((.*)\)$", line)
            if m and not line.startswith(("Removing", "Merging", "__attribute__", ";;")):
                ret, params = m.group(1), split_top(m.group(2))
                header = signature(ret, [strip_param_name(p) for p in params])
                for p in params:
                    if "(*" in p:
                        pname = p[p.rindex(")") + 1:].strip()
                        decls[pname] = fptr_signature(strip_param_name(p))
            continue
        m = re.match(r"^  (.*\(\*(?:<T[0-9a-f]+>|[\w.]+)?\).*\))\s+([\w.]+);$", line)
        if m:
            decls[m.group(2)] = fptr_signature(m.group(1))
            continue
        m = re.match(r"^  (?:[\w.]+ = )?([A-Za-z_][\w.]*)(\(D\))? \(", line)
        if m:
            tok = m.group(1)
            base = re.sub(r"_\d+$", "", tok)
            sig = decls.get(tok) or decls.get(base)
            if sig:
                icalls.add(sig)
    if name and header:
        out[name] = (header, icalls)
    return out


def run(cmd):
    return subprocess.run(cmd, check=True, capture_output=True, text=True).stdout


class Program:
    def __init__(self):
        self.frame = {}  # title -> bytes
        self.qual = {}  # title -> static | dynamic | dynamic,bounded
        self.where = {}  # title -> file:line:col
        self.calls = defaultdict(list)  # title -> [callee titles]
        self.indirect = defaultdict(int)  # title -> indirect call sites
        self.local = defaultdict(dict)  # source -> {name: title} of its static functions
        self.sig = {}  # title -> signature
        self.icall_sigs = defaultdict(set)  # title -> signatures called through pointers

    def title(self, src, name):
        return self.local.get(src, {}).get(name, name)


def parse_ci(path, p):
    node_re = re.compile(r'node: \{ title: "([^"]+)" label: "([^"]*)"')
    edge_re = re.compile(r'edge: \{ sourcename: "([^"]+)" targetname: "([^"]+)"')
    with open(path) as f:
        for line in f:
            m = node_re.match(line)
            if m:
                title, parts = m.group(1), m.group(2).split("\\n")
                b = re.match(r"(\d+) bytes \(([a-z,]+)\)", parts[2]) if len(parts) >= 3 else None
                if b:
                    p.frame[title] = int(b.group(1))
                    p.qual[title] = b.group(2)
                    p.where[title] = parts[1]
                    if ":" in title:
                        src, _, name = title.rpartition(":")
                        p.local[src][name] = title
                continue
            m = edge_re.match(line)
            if m:
                src, dst = m.groups()
                if dst == "__indirect_call":
                    p.indirect[src] += 1
                else:
                    p.calls[src].append(dst)


def parse_su(path, p):
    with open(path) as f:
        for line in f:
            m = re.match(r"(.+):(\d+):(\d+):(\S+)\t(\d+)\t(\S+)", line)
            if m:
                t = p.title(m.group(1), m.group(4))
                if t not in p.frame:
                    p.frame[t] = int(m.group(5))
                    p.qual[t] = m.group(6)


def objects(objdir):
    for dirpath, _, files in os.walk(objdir):
        for fn in sorted(files):
            if fn.endswith(".o"):
                obj = os.path.join(dirpath, fn)
                yield obj, os.path.relpath(obj, objdir)[:-2] + ".c"


def address_taken(prefix, objdir, p):
    """Titles of the functions whose address some object takes."""
    taken = set()
    for obj, src in objects(objdir):
        funcs, undef = set(), set()
        for line in run([prefix + "readelf", "-sW", obj]).splitlines():
            f = line.split()
            if len(f) >= 8 and f[3] == "FUNC":
                funcs.add(f[7])
            elif len(f) >= 8 and f[6] == "UND":
                undef.add(f[7])  # maybe a libc function (memset in platform_util.c)
        sec = ""
        for line in run([prefix + "readelf", "-rW", obj]).splitlines():
            if line.startswith("Relocation section"):
                sec = line.split("'")[1]
                continue
            f = line.split()
            if len(f) < 5 or any(s in sec for s in ("debug", "exidx", "eh_frame", "isr_vector")):
                continue
            if NOT_ADDRESS.search(f[2]):
                continue
            if f[4].startswith(".text.") and sec.endswith(f[4]):
                continue  # a function's own section: a jump table, not its address
            sym = f[4][len(".text."):] if f[4].startswith(".text.") else f[4]
            if sym in funcs:
                taken.add(p.title(src, sym))
            elif sym in undef:
                taken.add(sym)
    return taken


def reg_count(lst):
    n = 0
    for part in lst.split(","):
        r = re.match(r"\s*[rdsRDS](\d+)-[rdsRDS](\d+)", part)
        n += int(r.group(2)) - int(r.group(1)) + 1 if r else 1
    return n


def disassembly(prefix, image):
    """{symbol: (frame, [callees])} from a Thumb image; aliases share an entry."""
    syms = defaultdict(list)
    for line in run([prefix + "readelf", "-sW", image]).splitlines():
        f = line.split()
        if len(f) >= 8 and f[3] == "FUNC" and f[6] != "UND":
            syms[int(f[1], 16) & ~1].append(f[7])
    out = {}
    cur = None
    count = 0
    for line in run([prefix + "objdump", "-d", "--no-show-raw-insn", image]).splitlines():
        m = re.match(r"^([0-9a-f]+) <([^>]+)>:$", line)
        if m:
            cur = [0, []]
            for n in syms.get(int(m.group(1), 16), []) + [m.group(2)]:
                out[n] = cur
            name, count = m.group(2), 0
            continue
        if cur is None or "\t" not in line:
            continue
        ins = line.split("\t", 1)[1].strip()
        count += 1
        if count <= 8:
            m = re.match(r"(push|stmdb)(\.w)?\s+(sp!,\s*)?\{([^}]*)\}", ins)
            if m:
                cur[0] += 4 * reg_count(m.group(4))
            m = re.match(r"vpush\s+\{([^}]*)\}", ins)
            if m:
                cur[0] += 8 * reg_count(m.group(1))
            m = re.match(r"sub(\.w)?\s+sp,\s*(sp,\s*)?#(\d+)", ins)
            if m:
                cur[0] += int(m.group(3))
        m = re.match(r"(bl|blx|b|b\.w|b\.n)\s+[0-9a-f]+ <([^>+]+)>", ins)
        if m and (m.group(1).startswith("bl") or m.group(2) != name):
            cur[1].append(m.group(2))
    return out


def analyse(objdir, image, root, prefix):
    p = Program()
    for dirpath, _, files in os.walk(objdir):
        for fn in sorted(files):
            if fn.endswith(".ci"):
                parse_ci(os.path.join(dirpath, fn), p)
    for dirpath, _, files in os.walk(objdir):
        for fn in sorted(files):
            if fn.endswith(".su"):
                parse_su(os.path.join(dirpath, fn), p)
    gimple = 0
    for dirpath, _, files in os.walk(objdir):
        for fn in sorted(files):
            if fn.endswith(".optimized"):
                gimple += 1
                src = os.path.relpath(os.path.join(dirpath, fn), objdir).split(".c.")[0] + ".c"
                for name, (sig, icalls) in parse_gimple(os.path.join(dirpath, fn)).items():
                    t = p.title(src, name)
                    p.sig[t] = sig
                    p.icall_sigs[t] |= icalls
    if gimple == 0:
        sys.exit("stack.py: no GIMPLE dumps (*.optimized) under " + objdir)

    in_image = {f[7] for f in (l.split() for l in run([prefix + "readelf", "-sW", image]).splitlines())
                if len(f) >= 8 and f[3] == "FUNC" and f[6] != "UND"}
    undefined_file = os.path.join(os.path.dirname(image), "undefined.txt")
    external = set(open(undefined_file).read().split()) if os.path.exists(undefined_file) else set()
    dis = disassembly(prefix, image) if prefix.startswith("arm") else {}

    def plain(t):
        return t.rpartition(":")[2] if ":" in t else t

    taken = sorted(t for t in address_taken(prefix, objdir, p) if plain(t) in in_image)
    by_sig = defaultdict(list)
    for t in taken:
        by_sig[p.sig.get(t, "?")].append(t)

    def arity(sig):
        inner = sig[sig.index("(") + 1:-1]
        return 0 if inner == "void" else len(split_top(inner))

    # Address-taken functions whose type no pointer that is called has: registered through
    # a cast, or spelled through other typedefs. Only these can be behind a pointer type that
    # matches no function exactly (which otherwise is never set in this image: NULL).
    called_sigs = set().union(*p.icall_sigs.values()) if p.icall_sigs else set()
    orphans = [c for c in taken if p.sig.get(c, "?") not in called_sigs and c in p.sig]
    loose_sites = set()
    unresolved_sites = set()

    def indirect_targets(t):
        out = []
        sigs = p.icall_sigs.get(t, set())
        if not sigs:
            unresolved_sites.add(plain(t))
            return [(c, "any address-taken function") for c in taken]
        for s in sorted(sigs):
            # functions of unknown type (libc's, taken by address: memset) may be any
            out += [(c, s) for c in by_sig.get(s, []) + by_sig.get("?", [])]
            if by_sig.get(s):
                continue
            void = s.startswith("void ")
            loose = [c for c in orphans
                     if arity(p.sig[c]) == arity(s) and p.sig[c].startswith("void ") == void]
            loose_sites.add((plain(t), s))
            out += [(c, s + " (by arity)") for c in loose]
        return out

    estimated, absent, outside = set(), set(), set()  # absent: inlined everywhere

    def frame(t):
        if t in p.frame:
            return p.frame[t]
        name = plain(t)
        if name in dis:
            estimated.add(name)
            return dis[name][0]
        (outside if name in external else absent).add(name)
        return 0

    def callees(t):
        if t in p.frame:
            out = [(c, None) for c in p.calls.get(t, [])]
            if p.indirect.get(t):
                out += indirect_targets(t)
            return out
        name = plain(t)
        if name in dis:
            return [(c, None) for c in dis[name][1]]
        return []

    # The graph reachable from the root, its strongly connected components (Tarjan), and
    # the deepest path through the DAG they form. A component of several functions (or one
    # calling itself) is a cycle: a path may pass each of its functions once, so it costs
    # the sum of their frames.
    sys.setrecursionlimit(100000)
    graph, via_of, todo = {}, {}, [root]
    while todo:
        t = todo.pop()
        if t in graph:
            continue
        graph[t] = []
        for c, via in callees(t):
            graph[t].append(c)
            via_of.setdefault((t, c), via)
            todo.append(c)
    index, low, stack_, on, comp_of, comps = {}, {}, [], set(), {}, []

    def strong(v):
        index[v] = low[v] = len(index)
        stack_.append(v)
        on.add(v)
        for w in graph[v]:
            if w not in index:
                strong(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack_.pop()
                on.discard(w)
                comp_of[w] = len(comps)
                comp.append(w)
                if w == v:
                    break
            comps.append(comp)

    strong(root)
    cycles = [sorted(plain(x) for x in c) for c in comps
              if len(c) > 1 or c[0] in graph[c[0]]]
    cost, nxt = {}, {}
    for i, comp in enumerate(comps):  # Tarjan emits components callees first
        best, arg = 0, None
        for v in comp:
            for w in graph[v]:
                j = comp_of[w]
                if j != i and cost[j] > best:
                    best, arg = cost[j], (v, w)
        cost[i] = sum(frame(v) for v in comp) + best
        nxt[i] = arg
    total = cost[comp_of[root]]
    rows, i, via = [], comp_of[root], None
    while i is not None:
        comp = comps[i]
        if len(comp) == 1:
            t = comp[0]
            where = p.where.get(t) or ("libc/libgcc, from the disassembly" if plain(t) in estimated
                                       else "outside the image")
            rows.append((plain(t), where, frame(t), via))
        else:
            rows.append(("cycle: " + ", ".join(sorted(plain(x) for x in comp)),
                         "each function once", sum(frame(x) for x in comp), via))
        if nxt[i] is None:
            break
        v, w = nxt[i]
        via = via_of.get((v, w))
        i = comp_of[w]
    return {
        "total": total, "rows": rows, "taken": len(taken), "signatures": len(by_sig),
        "indirect_sites": sum(p.indirect.values()), "cycles": sorted(cycles, key=len),
        "reachable": len(graph), "orphans": len(orphans),
        "loose": sorted(loose_sites), "unresolved": sorted(unresolved_sites),
        "estimated": sorted(estimated), "outside": sorted(outside),
        "dynamic": sorted(plain(t) for t, q in p.qual.items() if q.startswith("dynamic")),
    }


def markdown(res, root, target):
    out = [f"### Worst-case stack of one `{root}`{' (' + target + ', -Os)' if target else ''}", ""]
    out.append(f"**{res['total']} B** ({res['total'] / 1024:.1f} KB) on the deepest chain of the"
               f" {res['reachable']} functions `{root}` can reach: frames from `-fstack-usage`, calls"
               " from `-fcallgraph-info=su`, mbedTLS and lwIP included.")
    out.append("")
    out.append("| function | defined at | frame | called |")
    out.append("|---|---|---|---|")
    for name, where, b, via in res["rows"]:
        out.append(f"| `{name}` | {where} | {b} B | {'through a pointer `' + via + '`' if via else 'directly'} |")
    out.append("")
    out.append("How it is bounded:")
    out.append(f"- indirect calls ({res['indirect_sites']} call sites in the objects): each may reach"
               f" any function of its pointer's C type whose address the image takes"
               f" ({res['taken']} such functions, {res['signatures']} types), types from GCC's"
               " final GIMPLE;")
    if res["loose"]:
        out.append(f"- {len(res['loose'])} calls through pointer types that match no address-taken"
                   " function exactly (never set in this image, or set through a cast): bounded by"
                   f" the {res['orphans']} address-taken function{'s' if res['orphans'] != 1 else ''}"
                   " whose type no called pointer has,"
                   " of the same number of parameters and void-ness, e.g. "
                   + ", ".join(f"`{f}`: `{s}`" for f, s in res["loose"][:3]) + ";")
    if res["unresolved"]:
        out.append(f"- {len(res['unresolved'])} functions call through a pointer whose type the GIMPLE"
                   " does not show: bounded by every address-taken function ("
                   + ", ".join(f"`{f}`" for f in res["unresolved"][:8]) + ");")
    if res["cycles"]:
        out.append(f"- {len(res['cycles'])} cycles (recursion, or loops the type-matched indirect calls"
                   " close) among the functions reachable: a path may pass each function of a cycle"
                   " once, so a cycle costs the sum of its frames (recursion deeper than one level"
                   " is not bounded). The cycles:")
        for c in res["cycles"][:10]:
            out.append(f"  - `{', '.join(c[:8])}{', ...' if len(c) > 8 else ''}`")
    else:
        out.append("- no recursion;")
    out.append("- " + ("dynamic frames (alloca, VLA): " + ", ".join(res["dynamic"])
                       if res["dynamic"] else "every frame is static (no alloca, no VLA)") + ";")
    if res["estimated"]:
        out.append(f"- {len(res['estimated'])} functions without .su (libc, libgcc, split-off parts)"
                   " sized from the image's disassembly (push, vpush, sub sp);")
    if res["outside"]:
        out.append("- counted as 0, outside the image (the RTOS's and the board's): "
                   + ", ".join(f"`{u}`" for u in res["outside"]) + ".")
    return "\n".join(out) + "\n"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("objdir")
    ap.add_argument("image")
    ap.add_argument("root")
    ap.add_argument("--tool-prefix", default="arm-none-eabi-")
    ap.add_argument("--target", default="")
    a = ap.parse_args()
    sys.stdout.write(markdown(analyse(a.objdir, a.image, a.root, a.tool_prefix), a.root, a.target))


if __name__ == "__main__":
    main()
