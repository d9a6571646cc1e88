#!/usr/bin/env python3
"""Checks the documentation: README.md and docs/**/*.md.

    python3 .ci/check-links.py                      # links, anchors, figures, README length
    python3 .ci/check-links.py --against OLD.md     # also: nothing of an older README was dropped

Checks, each failure one line `file:line: problem`:
- every relative link and image ([text](path), [text](path#anchor), [text](#anchor)) names an
  existing file, and its anchor a heading of that Markdown file (GitHub's heading ids);
- every image under docs/ is shown by some page;
- README.md has at most --max-readme-lines lines (300);
- with --against: every heading of the old README is a heading of some page, and every fenced
  code block of it appears in some page (after `analysis/plots.py` → `-m infoplane.plots`).
Standard library only; exit status 1 when anything fails.
"""
import argparse
import os
import re
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
LINK = re.compile(r"!?\[(?:[^\[\]]|\[[^\]]*\])*\]\(([^()\s]+)(?:\s+\"[^\"]*\")?\)")
HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
FENCE = re.compile(r"^\s*(```|~~~)")


def pages():
    """README.md and every Markdown file under docs/, as paths relative to the root."""
    found = ["README.md"]
    for directory, _, names in os.walk(os.path.join(ROOT, "docs")):
        found += sorted(os.path.relpath(os.path.join(directory, n), ROOT) for n in names if n.endswith(".md"))
    return found


def split_markdown(text):
    """(prose lines with their numbers, fenced code blocks as text, headings as text)."""
    prose, blocks, headings, block, fence = [], [], [], None, None
    for number, line in enumerate(text.split("\n"), start=1):
        match = FENCE.match(line)
        if block is not None:
            if match and match.group(1) == fence and line.strip() == fence:
                blocks.append("\n".join(block))
                block = None
            else:
                block.append(line)
        elif match:
            block, fence = [], match.group(1)
        else:
            prose.append((number, line))
            heading = HEADING.match(line)
            if heading:
                headings.append(heading.group(2))
    return prose, blocks, headings


def slug(heading):
    """GitHub's id of a heading: markup dropped, lower case, punctuation removed, spaces → '-'."""
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", heading)   # a link keeps its text
    text = text.replace("`", "").replace("*", "").strip().lower()
    return re.sub(r"[^\w\- ]", "", text).replace(" ", "-")


def anchors(headings):
    """Every heading id of a page, with GitHub's -1, -2 … suffixes for repeated headings."""
    seen, ids = {}, set()
    for heading in headings:
        base = slug(heading)
        count = seen.get(base, 0)
        seen[base] = count + 1
        ids.add(base if count == 0 else f"{base}-{count}")
    return ids


def normalise_block(block):
    """A code block as compared across pages: the new plotting command, no trailing blanks."""
    block = block.replace(".venv/bin/python analysis/plots.py", ".venv/bin/python -m infoplane.plots")
    block = block.replace("analysis/plots.py", ".venv/bin/python -m infoplane.plots")
    block = re.sub(r"(?<![\w.])plots\.py", "infoplane.plots", block)
    return "\n".join(line.rstrip() for line in block.strip("\n").split("\n"))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--against", metavar="OLD.md", help="an older README whose headings and code blocks must survive")
    parser.add_argument("--max-readme-lines", type=int, default=300)
    args = parser.parse_args(argv)

    parsed = {}
    for page in pages():
        with open(os.path.join(ROOT, page), encoding="utf-8") as f:
            parsed[page] = split_markdown(f.read())
    problems, shown, links = [], set(), 0

    for page, (prose, _, _) in parsed.items():
        here = os.path.dirname(page)
        for number, line in prose:
            for target in LINK.findall(re.sub(r"`[^`]*`", "", line)):
                if re.match(r"^[a-z][a-z0-9+.-]*:", target):   # http:, https:, mailto: — not checked offline
                    continue
                links += 1
                path, _, anchor = target.partition("#")
                resolved = os.path.normpath(os.path.join(here, path)) if path else page
                if not os.path.exists(os.path.join(ROOT, resolved)):
                    problems.append(f"{page}:{number}: link to {target}: no file {resolved}")
                    continue
                shown.add(resolved)
                if anchor:
                    if resolved not in parsed:
                        problems.append(f"{page}:{number}: link to {target}: {resolved} is not a checked Markdown page")
                    elif anchor not in anchors(parsed[resolved][2]):
                        problems.append(f"{page}:{number}: link to {target}: no heading #{anchor} in {resolved}")

    for directory, _, names in os.walk(os.path.join(ROOT, "docs")):
        for name in sorted(names):
            image = os.path.relpath(os.path.join(directory, name), ROOT)
            if name.endswith((".png", ".svg", ".jpg")) and image not in shown:
                problems.append(f"{image}: no page shows this figure")

    with open(os.path.join(ROOT, "README.md"), encoding="utf-8") as f:
        readme_lines = len(f.read().splitlines())
    if readme_lines > args.max_readme_lines:
        problems.append(f"README.md: {readme_lines} lines, more than {args.max_readme_lines}: move sections to docs/")

    if args.against:
        with open(args.against, encoding="utf-8") as f:
            _, old_blocks, old_headings = split_markdown(f.read())
        new_headings = {h for _, _, headings in parsed.values() for h in headings}
        for heading in old_headings:
            if heading not in new_headings:
                problems.append(f"{args.against}: heading '{heading}' is in no page")
        new_text = "\n".join(normalise_block(b) for _, blocks, _ in parsed.values() for b in blocks)
        for block in old_blocks:
            block = normalise_block(block)
            if block not in new_text:
                problems.append(f"{args.against}: code block starting '{block.splitlines()[0][:70]}' is in no page")
        print(f"against {args.against}: {len(old_headings)} headings, {len(old_blocks)} code blocks compared")

    for problem in problems:
        print(problem)
    print(f"{len(parsed)} pages, {links} relative links, README.md {readme_lines} lines: "
          + ("ok" if not problems else f"{len(problems)} problem(s)"))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
