"""Counts guest instructions from a qemu-user log of `-d nochain,exec,in_asm` read on stdin:
every translated block's instruction count (from its in_asm listing), summed over the block's
executions (its exec trace lines). With `nochain` every execution of a block is logged, so the
total equals the instructions executed, like `-singlestep -d nochain,exec` line counting but
with one log line per block instead of per instruction. Prints the total."""
import re
import sys

block_size = {}
total = 0
current = None
instruction = re.compile(r"^0x([0-9a-f]+):\s")
trace = re.compile(r"^Trace \d+: 0x[0-9a-f]+ \[[0-9a-f]+/([0-9a-f]+)/")
for line in sys.stdin.buffer:
    line = line.decode("ascii", "replace")
    if line.startswith("Trace"):
        m = trace.match(line)
        if m:
            total += block_size.get(int(m.group(1), 16), 0)
        continue
    if line.startswith("IN:"):
        current, count = None, 0
        continue
    m = instruction.match(line)
    if m:
        if current is None:
            current = int(m.group(1), 16)
            block_size[current] = 0
        block_size[current] += 1
    elif current is not None and not line.strip():
        current = None
print(total)
