#!/usr/bin/env python3
"""Lists the import cycles among a crate's source files.

Usage: scripts/import-cycles.py [SRC_DIR]   (default: runtime-core/src)

Every `crate::`, `super::` and `self::` path in the code (comments
stripped), in `use` items and inline alike, and every path through a
module alias that a `use` brought in (`use crate::blocking;` then
`blocking::Spawner`), is resolved to the file that defines it: the
longest module prefix that is a file, following `pub use` re-exports of
a `mod.rs`. Each strongly connected group of two or more files is
printed (largest first) with its edges inside the group. Approximate:
macros, glob imports and names re-exported under another name are not
followed, so an edge can be missed; the edges it prints are real paths
in the code.
"""
import os
import re
import sys

root = sys.argv[1] if len(sys.argv) > 1 else "runtime-core/src"
files = {}
for d, _, fs in os.walk(root):
    for f in fs:
        if f.endswith(".rs"):
            p = os.path.relpath(os.path.join(d, f), root)
            with open(os.path.join(d, f)) as fh:
                files[p] = re.sub(r"//[^\n]*", "", fh.read())


def modpath(p):
    parts = p[:-3].split("/")
    if parts[-1] in ("mod", "lib"):
        parts = parts[:-1]
    return parts


def file_of(parts):
    if not parts:
        return "lib.rs"
    for cand in ("/".join(parts) + ".rs", "/".join(parts) + "/mod.rs"):
        if cand in files:
            return cand
    return None


def reexports(f, cache={}):
    """name -> the path it is re-exported from, for `pub use` items."""
    if f not in cache:
        m = {}
        for mm in re.finditer(r"pub(?:\([^)]*\))?\s+use\s+([^;]+);", files[f]):
            body = " ".join(mm.group(1).split())
            g = re.match(r"((?:self::|super::|crate::)?[\w:]*?)::\{(.*)\}$", body)
            if g:
                for n in g.group(2).split(","):
                    n = n.strip()
                    if n:
                        m[n.split(" as ")[-1].split("::")[-1]] = g.group(1) + "::" + n.split(" as ")[0]
                continue
            g = re.match(r"((?:self::|super::|crate::)?[\w:]+)(?:\s+as\s+(\w+))?$", body)
            if g:
                m[g.group(2) or g.group(1).split("::")[-1]] = g.group(1)
        cache[f] = m
    return cache[f]


def resolve(cur, path, depth=0):
    segs = path.split("::")
    if segs[0] == "crate":
        base, segs = [], segs[1:]
    elif segs[0] == "super":
        base = cur[:]
        while segs and segs[0] == "super":
            base, segs = base[:-1], segs[1:]
    elif segs[0] == "self":
        base, segs = cur[:], segs[1:]
    else:
        base = cur[:]
    best, k = None, 0
    for i in range(len(segs) + 1):
        f = file_of(base + segs[:i])
        if f:
            best, k = f, i
    if best and depth < 8 and k < len(segs) and (best.endswith("mod.rs") or best == "lib.rs"):
        src = reexports(best).get(segs[k])
        if src:
            r = resolve(modpath(best), src, depth + 1)
            if r:
                return r
    return best


edges = {f: set() for f in files}
for f, text in files.items():
    cur = modpath(f)
    aliases = {}
    for mm in re.finditer(r"\buse\s+((?:crate|super|self)(?:::\w+)*)(?:::\{([^}]*)\})?\s*;", text):
        items = [mm.group(1)]
        if mm.group(2):
            items = [mm.group(1) + "::" + n.strip().split(" as ")[0] for n in mm.group(2).split(",") if n.strip()]
        for it in items:
            last = it.split("::")[-1]
            if last != "self" and resolve(cur, it) == file_of(modpath(resolve(cur, it) or "x.rs") if resolve(cur, it) else []):
                aliases[last] = it
    paths = []
    for mm in re.finditer(r"\b((?:crate|super|self)(?:::\w+)+)(?:::\{([^}]*)\})?", text):
        paths.append(mm.group(1))
        if mm.group(2):
            paths += [mm.group(1) + "::" + n.strip().split(" as ")[0] for n in mm.group(2).split(",") if n.strip()]
    for alias, full in aliases.items():
        for mm in re.finditer(r"(?<![\w:])" + alias + r"((?:::\w+)+)", text):
            paths.append(full + mm.group(1))
    for p in paths:
        g = resolve(cur, p)
        if g and g != f:
            edges[f].add(g)

sys.setrecursionlimit(100000)
index, low, stack, on, groups, counter = {}, {}, [], set(), [], [0]


def strong(v):
    index[v] = low[v] = counter[0]
    counter[0] += 1
    stack.append(v)
    on.add(v)
    for w in edges[v]:
        if w not in index:
            strong(w)
            low[v] = min(low[v], low[w])
        elif w in on:
            low[v] = min(low[v], index[w])
    if low[v] == index[v]:
        group = []
        while True:
            w = stack.pop()
            on.discard(w)
            group.append(w)
            if w == v:
                break
        if len(group) > 1:
            groups.append(sorted(group))


for v in sorted(files):
    if v not in index:
        strong(v)
for group in sorted(groups, key=len, reverse=True):
    members = set(group)
    print(f"{len(group)} files:")
    for f in group:
        print(f"  {f} -> {', '.join(sorted(g for g in edges[f] if g in members))}")
if not groups:
    print("no cycles")
