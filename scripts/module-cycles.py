#!/usr/bin/env python3
"""Fails when two source files of the crate import each other, directly or round a loop.

usage: scripts/module-cycles.py [SRC]        (default: api/src)

Every `.rs` file is a node. A file depends on the files whose items it names: through `use`
(with `crate::`, `super::`, `self::` or an imported module's name in front) and through paths
written inline (`crate::db::now()`, `services::audit::record(..)` after `use crate::services;`).
A path maps to the deepest file that defines its prefix. A module naming its own submodules
(`mod x;`, `pub use x::Y;`) is the module tree, not a dependency. Loops are printed with the
names that tie each pair of files, so it is clear where to cut; the exit status is 1 when any
exists.
"""
import re
import sys
from pathlib import Path

ROOT = Path(sys.argv[1] if len(sys.argv) > 1 else "api/src")
IDENT = r"[A-Za-z_][A-Za-z0-9_]*"


def module_path(file: Path) -> tuple:
    parts = list(file.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] in ("mod", "lib", "main"):
        parts.pop()
    return tuple(parts)


MODULES = {module_path(f): f for f in sorted(ROOT.rglob("*.rs"))}


TOKENS = re.compile(
    r'(?P<raw>\br(?P<hashes>#*)".*?"(?P=hashes))'  # raw string
    r'|(?P<str>"(?:\\.|[^"\\])*")'  # string
    r"|(?P<char>'(?:\\.|[^'\\])')"  # char literal (a lifetime has no closing quote)
    r"|(?P<line>//[^\n]*)"  # line comment
    r"|(?P<block>/\*.*?\*/)",  # block comment
    re.S,
)


def code_only(text: str) -> str:
    """Blanks comments, strings and char literals, which may look like paths or hold `;`."""
    return TOKENS.sub(lambda m: '""' if m.group("raw") or m.group("str") else " ", text)


def use_paths(tree: str, prefix: str = "") -> list:
    """Flattens one `use` tree: `a::{b, c::{d as e}}` gives `a::b`, `a::c::d`."""
    tree = " ".join(tree.split())
    brace = tree.find("{")
    if brace == -1:
        return [(prefix + tree.split(" as ")[0]).replace(" ", "")]
    head, inner = tree[:brace], tree[brace + 1:tree.rindex("}")]
    items, level, start = [], 0, 0
    for i, ch in enumerate(inner):
        level += {"{": 1, "}": -1}.get(ch, 0)
        if ch == "," and level == 0:
            items.append(inner[start:i])
            start = i + 1
    items.append(inner[start:])
    return [p for item in items if item.strip() for p in use_paths(item.strip(), prefix + head.strip())]


def locate(here: tuple, path: str, names: dict):
    """(file module, first name below it) for a path, or None when it leaves the crate."""
    segs = [s for s in path.split("::") if s]
    if not segs:
        return None
    first = segs[0]
    if first == "crate":
        base, rest = (), segs[1:]
    elif first in ("self", "super"):
        base, rest = here, segs
        while rest and rest[0] in ("self", "super"):
            base = base[:-1] if rest[0] == "super" else base
            rest = rest[1:]
    elif first in names:
        base, rest = names[first], segs[1:]
    else:
        return None
    full = base + tuple(rest)
    for cut in range(len(full), -1, -1):
        if full[:cut] in MODULES:
            return full[:cut], full[cut] if cut < len(full) else "*"
    return None


def dependencies(mod: tuple) -> dict:
    text = code_only(MODULES[mod].read_text())
    # Submodules can be named bare; `use x::y;` where y is a module adds y.
    names = {m[-1]: m for m in MODULES if m[:-1] == mod and m != mod}
    written = []
    for tree in re.findall(r"\buse\s+([^;]+);", text):
        for path in use_paths(tree):
            written.append(path)
            found = locate(mod, path, names)
            last = path.split("::")[-1]
            if found and found[1] == "*" and last not in ("*", "self"):
                names[last] = found[0]
            elif found and last == "self":
                names[path.split("::")[-2]] = found[0]
    starts = "|".join(re.escape(n) for n in sorted(set(names) | {"crate", "super"}))
    written += re.findall(rf"(?<![\w:])((?:{starts})(?:::{IDENT})+)", text)
    deps = {}
    for path in written:
        found = locate(mod, path, names)
        if found is None or found[0] == () or found[0][:len(mod)] == mod:
            continue  # outside the crate, the crate root, or this module's own subtree
        deps.setdefault(found[0], set()).add(found[1])
    return deps


GRAPH = {mod: dependencies(mod) for mod in MODULES}


def loops() -> list:
    """Strongly connected components of more than one file (iterative Tarjan)."""
    order, low, on_stack, stack, found = {}, {}, set(), [], []
    for root in GRAPH:
        if root in order:
            continue
        work = [(root, iter(GRAPH[root]))]
        order[root] = low[root] = len(order)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in order:
                    order[child] = low[child] = len(order)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(GRAPH[child])))
                elif child in on_stack:
                    low[node] = min(low[node], order[child])
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == order[node]:
                group = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    group.append(member)
                    if member == node:
                        break
                if len(group) > 1:
                    found.append(sorted(group))
    return found


def main() -> int:
    groups = loops()
    for n, group in enumerate(groups, 1):
        print(f"import loop {n} ({len(group)} files):")
        for a in group:
            for b in group:
                if b in GRAPH[a]:
                    ties = ", ".join(sorted(GRAPH[a][b]))
                    print(f"  {MODULES[a].relative_to(ROOT)} -> {MODULES[b].relative_to(ROOT)}: {ties}")
    print(f"{len(groups)} import loop(s) among {len(MODULES)} files of {ROOT}")
    return 1 if groups else 0


if __name__ == "__main__":
    sys.exit(main())
