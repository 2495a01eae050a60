#!/usr/bin/env python3
"""Lists every function, initialiser and closure-free body in Sources/ longer than the house limit.

    python3 scripts/function-lengths.py            # exit 1 if a function is too long
    python3 scripts/function-lengths.py --all 40   # every function over 40 lines, longest first

A function counts from its `func`/`init` line to its closing brace. One that must stay longer says
why in a comment in the three lines above it that contains "over 60 lines:", and is then listed
but allowed. Strings (including raw and multi-line strings) and comments are skipped when the
braces are matched, so a `{` inside a string does not count.
"""
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LIMIT = 60
DECLARATION = re.compile(r"^\s*(?:@\w+(?:\([^)]*\))?\s+)*(?:(?:public|package|internal|private|fileprivate|static|"
                         r"class|final|override|mutating|nonisolated|convenience|required|@inlinable|"
                         r"@discardableResult)\s+)*(func\s+[^\s(<]+|init[?!]?\s*[(<]|subscript\s*\()")
EXCUSE = "over 60 lines:"


def code_only(text):
    """`text` with string literals and comments blanked out (newlines kept), so braces can be counted."""
    out, i, n = [], 0, len(text)
    while i < n:
        if text.startswith("//", i):
            j = text.find("\n", i)
            j = n if j < 0 else j
            out.append(" " * (j - i))
            i = j
        elif text.startswith("/*", i):
            j = text.find("*/", i + 2)
            j = n if j < 0 else j + 2
            out.append(re.sub(r"[^\n]", " ", text[i:j]))
            i = j
        elif text[i] == '"' or (text[i] == "#" and re.match(r'#+"', text[i:])):
            hashes = len(re.match(r"#*", text[i:]).group(0))
            start = i + hashes
            triple = text.startswith('"""', start)
            quote = '"""' if triple else '"'
            closing = quote + "#" * hashes
            j = start + len(quote)
            while j < n:
                if hashes == 0 and text[j] == "\\":
                    j += 2
                    continue
                if text.startswith(closing, j):
                    j += len(closing)
                    break
                if not triple and text[j] == "\n":
                    break
                j += 1
            out.append(re.sub(r"[^\n]", " ", text[i:j]))
            i = j
        else:
            out.append(text[i])
            i += 1
    return "".join(out)


def functions(path):
    """(name, first line, line count, excused) for each function in the Swift file at `path`."""
    text = path.read_text(encoding="utf-8")
    lines = text.split("\n")
    code = code_only(text).split("\n")
    found = []
    for number, line in enumerate(code):
        match = DECLARATION.match(line)
        if not match:
            continue
        depth, opened, end = 0, False, None
        for k in range(number, len(code)):
            for ch in code[k]:
                if ch == "{":
                    depth += 1
                    opened = True
                elif ch == "}":
                    depth -= 1
            if opened and depth <= 0:
                end = k
                break
            # A protocol requirement: no body before the line ends.
            if not opened and k > number and code[k].strip() and not code[k].lstrip().startswith(("->", "where", "throws", "async")) and "{" not in code[k]:
                if not code[k - 1].rstrip().endswith((",", "(", "->")):
                    break
        if end is None:
            continue
        excused = any(EXCUSE in lines[j] for j in range(max(0, number - 3), number))
        found.append((match.group(1).strip(), number + 1, end - number + 1, excused))
    return found


def main():
    limit = LIMIT
    if "--all" in sys.argv:
        limit = int(sys.argv[sys.argv.index("--all") + 1])
    rows = []
    for path in sorted((ROOT / "Sources").rglob("*.swift")):
        for name, line, count, excused in functions(path):
            if count > limit:
                rows.append((count, f"{path.relative_to(ROOT)}:{line}", name, excused))
    rows.sort(reverse=True)
    failing = [r for r in rows if r[0] > LIMIT and not r[3]]
    for count, where, name, excused in rows:
        mark = "allowed" if excused else ("TOO LONG" if count > LIMIT else "")
        print(f"{count:5d}  {where}  {name}  {mark}")
    print(f"{len(failing)} function(s) over {LIMIT} lines without a note saying why")
    return 1 if failing else 0


if __name__ == "__main__":
    sys.exit(main())
