"""Replaces the generated section of a doc between its markers with standard input, atomically.

Usage: python3 tools/benchmarks/write_section.py DOC BEGIN-MARKER END-MARKER < TEXT
"""
import os
import sys

path, begin, end = sys.argv[1:4]
text = sys.stdin.read().rstrip("\n")
doc = open(path).read()
doc = doc[:doc.index(begin) + len(begin)] + "\n" + text + "\n" + doc[doc.index(end):]
with open(path + ".tmp", "w") as out:
    out.write(doc)
os.replace(path + ".tmp", path)
