#!/usr/bin/env python3
"""Rewrites inline fully-qualified type names in Java sources into imports and simple names.

    python3 tools/fqn-to-imports.py [--check] [--no-mark] [PATH ...]     (default PATH: the repository root)

`java.util.concurrent.CompletableFuture<X> f = ...` becomes `CompletableFuture<X> f = ...` plus
`import java.util.concurrent.CompletableFuture;`; a nested type or a static member keeps its outer class
(`java.util.Map.Entry` -> `Map.Entry`, `java.util.Objects.requireNonNull(..)` -> `Objects.requireNonNull(..)`);
`java.lang.X` and types of the file's own package lose their qualifier without an import.

Left alone: package and import lines, comments (javadoc `{@link java.util.X}` too), string, char and text-block
literals, files under target/ and the archetype's Velocity templates (archetype-resources), and lines that carry
`CHECKSTYLE:FQN-OK` in a comment. A name stays qualified when its simple name would clash: a different type of
that simple name is imported (also statically) or declared in the file, is in the file's package, is in
java.lang, is used unqualified in the file for something else, or another qualified name in the same file has the
same simple name. Unless --no-mark is given, each line that keeps a qualified name for a clash gets a trailing
`// CHECKSTYLE:FQN-OK`, the marker the Checkstyle rule against inline qualified names accepts.

New imports go into the file's existing import groups: into the group that shares the longest package prefix,
at its sorted place; java.* and javax.* start their own group (after static imports, java before javax) when the
file has none. Running it twice changes nothing the second time. It prints every change; with --check it changes
nothing, prints what it would change and exits 1 when there is something to change.
"""
import argparse
import os
import re
import sys

MARK = "CHECKSTYLE:FQN-OK"
SKIP_DIRS = {"target", ".git", ".mvn", "node_modules", "archetype-resources"}
DEFAULT_ROOTS = {"java", "javax", "jakarta", "jdk", "sun", "com", "org", "io", "net", "dev"}

# every top-level type of java.base's java.lang package (JDK 25), public or not: a simple name found here
# resolves to java.lang unless imported or declared, so a non-java.lang type of that name stays qualified
JAVA_LANG = set("""
AbstractMethodError AbstractStringBuilder Appendable ApplicationShutdownHooks ArithmeticException
ArrayIndexOutOfBoundsException ArrayStoreException AssertionError AssertionStatusDirectives AutoCloseable
BaseVirtualThread Boolean BootstrapMethodError Byte CharSequence Character CharacterData CharacterName Class
ClassCastException ClassCircularityError ClassFormatError ClassFrameInfo ClassLoader ClassNotFoundException
ClassValue CloneNotSupportedException Cloneable Comparable CompoundEnumeration ConditionalSpecialCasing Deprecated
Double Enum EnumConstantNotPresentException Error Exception ExceptionInInitializerError FdLibm Float
FunctionalInterface IO IllegalAccessError IllegalAccessException IllegalArgumentException IllegalCallerException
IllegalMonitorStateException IllegalStateException IllegalThreadStateException IncompatibleClassChangeError
IndexOutOfBoundsException InheritableThreadLocal InstantiationError InstantiationException Integer InternalError
InterruptedException Iterable LayerInstantiationException LinkageError LiveStackFrame LiveStackFrameInfo Long
MatchException Math Module ModuleLayer NamedPackage NegativeArraySizeException NoClassDefFoundError
NoSuchFieldError NoSuchFieldException NoSuchMethodError NoSuchMethodException NullPointerException Number
NumberFormatException Object OutOfMemoryError Override Package Process ProcessBuilder ProcessEnvironment
ProcessHandle ProcessHandleImpl ProcessImpl PublicMethods Readable Record ReflectiveOperationException Runnable
Runtime RuntimeException RuntimePermission SafeVarargs ScopedValue SecurityException SecurityManager Short Shutdown
StableValue StackFrameInfo StackOverflowError StackStreamFactory StackTraceElement StackWalker StrictMath String
StringBuffer StringBuilder StringCoding StringConcatHelper StringIndexOutOfBoundsException StringLatin1
StringUTF16 SuppressWarnings System Terminator Thread ThreadBuilders ThreadDeath ThreadGroup ThreadLocal Throwable
TypeNotPresentException UnknownError UnsatisfiedLinkError UnsupportedClassVersionError
UnsupportedOperationException VerifyError VersionProps VirtualMachineError VirtualThread Void WeakPairMap
WrongThreadException
""".split())

IMPORT_RE = re.compile(r"^import\s+(static\s+)?([\w.]+(?:\.\*)?)\s*;", re.M)
PACKAGE_RE = re.compile(r"^\s*package\s+([\w.]+)\s*;", re.M)
DECL_RE = re.compile(r"(?<![\w$.])(?:class|interface|enum|record)\s+([A-Za-z_$][\w$]*)")


def code_mask(src):
    """A copy of src with comments and literals blanked (newlines kept), so offsets stay the same."""
    out = list(src)
    i, n = 0, len(src)

    def blank(a, b):
        for k in range(a, b):
            if out[k] != "\n":
                out[k] = " "

    while i < n:
        c = src[i]
        if src.startswith("//", i):
            j = src.find("\n", i)
            j = n if j < 0 else j
            blank(i, j)
            i = j
        elif src.startswith("/*", i):
            j = src.find("*/", i + 2)
            j = n if j < 0 else j + 2
            blank(i, j)
            i = j
        elif src.startswith('"""', i):
            j = i + 3
            while j < n and not src.startswith('"""', j):
                j += 2 if src[j] == "\\" else 1
            j = min(n, j + 3)
            blank(i, j)
            i = j
        elif c in "\"'":
            j = i + 1
            while j < n and src[j] != c and src[j] != "\n":
                j += 2 if src[j] == "\\" else 1
            j = min(n, j + 1)
            blank(i, j)
            i = j
        else:
            i += 1
    return "".join(out)


def java_files(paths):
    for p in paths:
        if os.path.isfile(p):
            if p.endswith(".java"):
                yield p
            continue
        for root, dirs, files in os.walk(p):
            dirs[:] = sorted(d for d in dirs if d not in SKIP_DIRS)
            for f in sorted(files):
                if f.endswith(".java"):
                    yield os.path.join(root, f)


def package_of(src):
    m = PACKAGE_RE.search(code_mask(src))
    return m.group(1) if m else ""


def build_package_index(files):
    """package -> simple names of its top-level types (file names) across the given files."""
    index = {}
    for f in files:
        with open(f, encoding="utf-8") as fh:
            src = fh.read()
        index.setdefault(package_of(src), set()).add(os.path.basename(f)[:-5])
    return index


def roots_of(files):
    """The first segments of every package and import in the sources, plus the usual ones."""
    roots = set(DEFAULT_ROOTS)
    for f in files:
        with open(f, encoding="utf-8") as fh:
            src = fh.read()
        for m in IMPORT_RE.finditer(src):
            roots.add(m.group(2).split(".")[0])
        pkg = package_of(src)
        if pkg:
            roots.add(pkg.split(".")[0])
    roots.discard("")
    return roots


def statement_spans(mask, keyword):
    """Spans of `package ...;` / `import ...;` statements in the code mask."""
    return [(m.start(), m.end()) for m in re.finditer(r"(?m)^\s*" + keyword + r"\b[^;]*;", mask)]


def inside(pos, spans):
    return any(a <= pos < b for a, b in spans)


def fqn_pattern(roots):
    return re.compile(r"(?<![\w$.])((?:%s)\.(?:[a-z_][a-z0-9_]*\.)+)([A-Z][\w$]*)"
                      % "|".join(sorted(map(re.escape, roots))))


def qualified_names(src, roots):
    """Matches of qualified type names in code: not in comments, literals, package or import lines."""
    mask = code_mask(src)
    header = statement_spans(mask, "package") + statement_spans(mask, "import")
    return [m for m in fqn_pattern(roots).finditer(mask) if not inside(m.start(), header)]


class Change:
    def __init__(self):
        self.imports = []      # new import names
        self.simplified = {}   # fqn -> count
        self.kept = []         # (line, fqn, reason)


def convert(path, src, index, roots, mark):
    mask = code_mask(src)
    pkg = package_of(src)
    header = statement_spans(mask, "package") + statement_spans(mask, "import")
    marked_lines = {src.count("\n", 0, m.start()) for m in re.finditer(re.escape(MARK), src)}

    occurrences = []  # (start of qualifier, start of simple name, outer fqn, simple name)
    for m in qualified_names(src, roots):
        if src.count("\n", 0, m.start()) in marked_lines:
            continue
        qualifier = m.group(1)[:-1]
        occurrences.append((m.start(), m.start(2), qualifier + "." + m.group(2), m.group(2)))
    if not occurrences:
        return src, None

    single, static_names, on_demand = {}, {}, False
    for m in IMPORT_RE.finditer(src):
        name = m.group(2)
        if name.endswith(".*"):
            on_demand = True
        elif m.group(1):
            static_names.setdefault(name.rsplit(".", 1)[1], set()).add(name)
        else:
            single[name.rsplit(".", 1)[1]] = name
    declared = set(DECL_RE.findall(mask))
    occ_positions = {o[1] for o in occurrences}
    bare = set()
    for m in re.finditer(r"(?<![\w$.])([A-Z][\w$]*)\b", mask):
        if m.start() not in occ_positions and not inside(m.start(), header):
            bare.add(m.group(1))
    by_simple = {}
    for _, _, fqn, simple in occurrences:
        by_simple.setdefault(simple, set()).add(fqn)
    top_level = os.path.basename(path)[:-5]

    def decide(fqn, simple):
        """(replace?, import needed?, reason kept)"""
        fqn_pkg = fqn.rsplit(".", 1)[0]
        if simple in declared:
            if fqn_pkg == pkg and simple == top_level:
                return True, False, None
            return False, False, "a type of this name is declared in the file"
        if len(by_simple[simple]) > 1:
            return False, False, "another qualified name here has this simple name: " + ", ".join(
                sorted(by_simple[simple] - {fqn}))
        if simple in static_names:
            return False, False, "statically imported: " + ", ".join(sorted(static_names[simple]))
        if simple in single:
            if single[simple] == fqn:
                return True, False, None
            return False, False, "imported: " + single[simple]
        if fqn_pkg == pkg:
            return True, False, None
        if simple in index.get(pkg, ()):
            return False, False, "a type of this name is in package " + pkg
        if simple in JAVA_LANG:
            if fqn_pkg == "java.lang":
                return True, False, None
            return False, False, "java.lang." + simple + " has this simple name"
        if simple in bare:
            return False, False, "the simple name is used unqualified for another type"
        if on_demand:
            return False, False, "the file has on-demand (*) imports"
        return True, True, None

    decisions = {fqn: decide(fqn, simple) for fqn, simple in
                 {(o[2], o[3]) for o in occurrences}}
    change = Change()
    pieces, last = [], 0
    kept_lines = set()
    for start, name_start, fqn, simple in occurrences:
        replace, _, reason = decisions[fqn]
        line = src.count("\n", 0, start)
        if not replace:
            change.kept.append((line + 1, fqn, reason))
            kept_lines.add(line)
            continue
        pieces.append(src[last:start])
        last = name_start
        change.simplified[fqn] = change.simplified.get(fqn, 0) + 1
    pieces.append(src[last:])
    out = "".join(pieces)
    change.imports = sorted({fqn for fqn, (r, imp, _) in decisions.items() if r and imp})
    if mark and kept_lines:
        lines = out.split("\n")
        # line numbers are unchanged by the replacements above (they never remove a newline)
        for ln in sorted(kept_lines):
            lines[ln] = lines[ln].rstrip() + " // " + MARK
        out = "\n".join(lines)
    if change.imports:
        out = add_imports(out, change.imports)
    if out == src:
        return src, change if change.kept else None
    return out, change


def add_imports(src, names):
    lines = src.split("\n")
    mask_lines = code_mask(src).split("\n")
    imp_idx = [i for i, l in enumerate(mask_lines) if re.match(r"import\s", l)]
    if not imp_idx:
        pkg_idx = next((i for i, l in enumerate(mask_lines) if re.match(r"\s*package\s", l)), None)
        block = ["import %s;" % n for n in sorted(names, key=group_rank_key)]
        block = with_group_breaks(block)
        at = 0 if pkg_idx is None else pkg_idx + 1
        insert = ([""] if pkg_idx is not None else []) + block
        if at < len(lines) and lines[at].strip() != "":
            insert.append("")
        lines[at:at] = insert
        return "\n".join(lines)

    # existing groups: runs of import lines separated by blank lines
    groups, cur = [], []
    first, last_line = imp_idx[0], imp_idx[-1]
    for i in range(first, last_line + 1):
        if re.match(r"import\s", mask_lines[i]):
            cur.append(i)
        elif lines[i].strip() == "" and cur:
            groups.append(cur)
            cur = []
    if cur:
        groups.append(cur)

    def name_at(i):
        m = IMPORT_RE.match(lines[i])
        return (bool(m.group(1)), m.group(2)) if m else (False, lines[i])

    group_names = [[name_at(i) for i in g] for g in groups]
    for new in names:
        target = best_group(new, group_names)
        if target is None:
            # a new java.* / javax.* / other group at its place: after static, java before javax before others
            rank = group_rank(new)
            pos = len(group_names)
            for gi, g in enumerate(group_names):
                ranks = [0 if s else group_rank(n) for s, n in g]
                if min(ranks) > rank:
                    pos = gi
                    break
            group_names.insert(pos, [(False, new)])
        else:
            g = group_names[target]
            # a place whose neighbours bracket the name (in a sorted group, its sorted place); in a group that is
            # not sorted, of such places the one whose neighbours share the longest package prefix, the first
            names_g = [n for _, n in g]
            places = [k for k in range(len(g) + 1)
                      if (k == 0 or names_g[k - 1] <= new) and (k == len(g) or new < names_g[k])]
            if not places:
                places = [len(g)]
            at = max(places, key=lambda k: (max(common_prefix(names_g[j], new) for j in (k - 1, k)
                                                if 0 <= j < len(g)), -k))
            g.insert(at, (False, new))
    rendered = []
    for gi, g in enumerate(group_names):
        if gi:
            rendered.append("")
        rendered.extend("import %s%s;" % ("static " if s else "", n) for s, n in g)
    # keep anything that sat between the imports (comments) at the end of the block
    between = [lines[i] for i in range(first, last_line + 1)
               if lines[i].strip() and not re.match(r"import\s", mask_lines[i])]
    lines[first:last_line + 1] = rendered + between
    return "\n".join(lines)


def group_rank(name):
    root = name.split(".")[0]
    return 1 if root == "java" else 2 if root == "javax" else 3


def group_rank_key(name):
    return (group_rank(name), name)


def with_group_breaks(block):
    out, prev = [], None
    for l in block:
        r = group_rank(l.split()[1])
        if prev is not None and r != prev:
            out.append("")
        out.append(l)
        prev = r
    return out


def common_prefix(a, b):
    sa, sb = a.split("."), b.split(".")
    k = 0
    while k < min(len(sa), len(sb)) - 1 and sa[k] == sb[k]:
        k += 1
    return k


def best_group(new, groups):
    """The index of the group the new import belongs to, or None when it needs a group of its own."""
    rank = group_rank(new)
    best, best_score = None, 0
    for gi, g in enumerate(groups):
        plain = [n for s, n in g if not s]
        if not plain:
            continue
        if rank < 3:
            # java.* and javax.* only join a group that already holds their root
            score = max(common_prefix(n, new) for n in plain) if any(group_rank(n) == rank for n in plain) else 0
        else:
            if all(group_rank(n) < 3 for n in plain):
                continue
            score = max(common_prefix(n, new) for n in plain) + 0.5  # any third-party group will do
        if score > best_score or (score == best_score and score > 0 and rank == 3):
            # ties among non-java groups go to the last one (the project's own and main libraries sit last)
            best, best_score = gi, score
    return best


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("paths", nargs="*", default=None)
    ap.add_argument("--check", action="store_true", help="change nothing; exit 1 when something would change")
    ap.add_argument("--no-mark", action="store_true", help="do not mark lines that keep a qualified name")
    ap.add_argument("--root", default=None, help="the repository root (default: the script's parent folder)")
    ap.add_argument("-q", "--quiet", action="store_true", help="print only the summary")
    ap.add_argument("--count", action="store_true",
                    help="change nothing; count the qualified names left in code (marked lines included)")
    args = ap.parse_args(argv)
    repo = args.root or os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    paths = args.paths or [repo]
    all_files = list(java_files([repo]))
    index = build_package_index(all_files)
    roots = roots_of(all_files)

    if args.count:
        total = 0
        for path in java_files(paths):
            with open(path, encoding="utf-8") as fh:
                n = len(qualified_names(fh.read(), roots))
            total += n
            if n and not args.quiet:
                print("%s: %d" % (os.path.relpath(path), n))
        print("fqn-to-imports: %d qualified name(s) in code" % total)
        return 0

    files_changed = simplified = imports = kept = 0
    for path in java_files(paths):
        with open(path, encoding="utf-8") as fh:
            src = fh.read()
        out, change = convert(path, src, index, roots, not args.no_mark)
        if change is None:
            continue
        rel = os.path.relpath(path)
        kept += len(change.kept)
        if not args.quiet:
            for line, fqn, reason in change.kept:
                print("%s:%d: kept %s (%s)" % (rel, line, fqn, reason))
        if out == src:
            continue
        files_changed += 1
        n = sum(change.simplified.values())
        simplified += n
        imports += len(change.imports)
        if not args.quiet:
            print("%s: %d qualified name(s) simplified%s" % (
                rel, n, "; imports " + ", ".join(change.imports) if change.imports else ""))
        if not args.check:
            with open(path, "w", encoding="utf-8") as fh:
                fh.write(out)
    verb = "would change" if args.check else "changed"
    print("fqn-to-imports: %s %d file(s): %d qualified name(s) simplified, %d import(s) added; "
          "%d kept qualified for a clash" % (verb, files_changed, simplified, imports, kept))
    return 1 if args.check and files_changed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
