"""Replaces the generated section of a doc between its markers, atomically.

Usage: python3 tools/benchmarks/write_section.py DOC BEGIN-MARKER END-MARKER < TEXT
(or `write_section(doc, begin, end, text)` from Python).
"""
import os
import sys


def write_section(path, begin, end, text):
    """Puts `text` between the lines holding `begin` and `end` in the file at `path`."""
    doc = open(path).read()
    doc = doc[:doc.index(begin) + len(begin)] + "\n" + text.rstrip("\n") + "\n" + doc[doc.index(end):]
    with open(path + ".tmp", "w") as out:
        out.write(doc)
    os.replace(path + ".tmp", path)


if __name__ == "__main__":
    write_section(*sys.argv[1:4], sys.stdin.read())
