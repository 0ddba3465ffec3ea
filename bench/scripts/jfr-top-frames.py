#!/usr/bin/env python3
"""Hottest frames of a Java Flight Recording: reads `jfr print --events jdk.ExecutionSample FILE` and counts, per
method, the samples where it is the top frame (self time), and the samples where it is anywhere on the stack
(total time; each method counted once per sample). Usage: jfr-top-frames.py FILE.jfr [N] [THREAD-SUBSTRING]"""
import collections
import re
import subprocess
import sys

path = sys.argv[1]
n = int(sys.argv[2]) if len(sys.argv) > 2 else 10
thread_filter = sys.argv[3] if len(sys.argv) > 3 else None
text = subprocess.run(["jfr", "print", "--events", "jdk.ExecutionSample", "--stack-depth", "64", path],
                      check=True, capture_output=True, text=True).stdout

self_counts = collections.Counter()
total_counts = collections.Counter()
samples = 0
for event in text.split("jdk.ExecutionSample {")[1:]:
    thread = re.search(r'sampledThread = "([^"]*)"', event)
    if thread_filter and (not thread or thread_filter not in thread.group(1)):
        continue
    stack = re.search(r"stackTrace = \[\n(.*?)\n\s*\]", event, re.S)
    if not stack:
        continue
    frames = []
    for line in stack.group(1).split("\n"):
        line = line.strip()
        if not line or line == "...":
            continue
        frames.append(re.sub(r"\s+line: \d+.*$", "", line))
    if not frames:
        continue
    samples += 1
    self_counts[frames[0]] += 1
    for frame in set(frames):
        total_counts[frame] += 1

print(f"{samples} execution samples" + (f" on threads matching '{thread_filter}'" if thread_filter else ""))
print(f"\n{'self %':>7}  top frame (self time)")
for frame, count in self_counts.most_common(n):
    print(f"{100.0 * count / samples:6.1f}%  {frame}")
print(f"\n{'total %':>7}  on the stack (total time), nightjar/crunch/avro/hadoop frames")
shown = 0
for frame, count in total_counts.most_common():
    if re.match(r"(io\.nightjar|org\.apache\.(crunch|avro|hadoop\.(mapred|io)))", frame) and "run(" not in frame:
        print(f"{100.0 * count / samples:6.1f}%  {frame}")
        shown += 1
        if shown == n:
            break
