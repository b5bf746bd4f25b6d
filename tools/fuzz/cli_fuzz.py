#!/usr/bin/env python3
"""Command-line fuzzing of `facelyzr`: every numeric option of every subcommand, hostile values.

The options are discovered from the program itself (`facelyzr --experimental-dump-help`, the
structured form of `--help`): an option is numeric when its default is a number, or, without a
default, when the parser refuses `abc` for it and takes `7`. So a new option is fuzzed without
touching this file. BASE below gives each subcommand the arguments a run needs (its inputs:
tiny fixtures made once at the start) and settings that keep a valid run small; one or two
options are then replaced by random values: negatives (as `--opt=-1`, and as `--opt -1`), 0,
NaN, infinities, huge (1e40, 2^31, 2^63, 2^64), empty, garbage, and small valid numbers.

Every case runs in its own empty directory with a wall-clock limit and an address-space limit
(setrlimit in the child). The run fails if any case ends by a signal, passes its wall limit, or
exits with a status other than 0, 1, 2 or 3 (docs/limits.md "Exit statuses"). The case list is
a function of the seed, so a failure is reproduced by `--seed S --only N`.

Usage: cli_fuzz.py FACELYZR [--cases N] [--seed S] [--jobs J] [--timeout SECONDS] [--only N]
"""

import argparse
import collections
import concurrent.futures
import json
import os
import random
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
STATUSES = {0, 1, 2, 3}

# Arguments every run of a subcommand gets (before the fuzzed ones; a fuzzed option given
# again overrides it, as the parser keeps the last value). {name} is a fixture below. Outputs
# are relative: each case runs in a fresh directory.
BASE = {
    "version": [],
    "import": ["utkface", "{utkface}", "imported", "--size", "16", "--limit", "2"],
    "synth": ["--count", "2", "--size", "16", "faces"],
    "scenes": ["--sheet", "s.png", "--count", "1", "--patches", "p", "--patch-size", "12", "--train-scenes", "1",
               "--calibration-scenes", "1", "--test-scenes", "1", "--hard-negatives", "{detector}", "--hard-scenes", "1"],
    "synth-stats": ["--count", "20", "--probe-resolution", "2"],
    "pretrain": ["--output", "o.safetensors", "--architecture", "{architecture}", "--count", "4", "--batch-size", "2",
                 "--steps", "1", "--log-every", "1"],
    "train": ["--output", "o.safetensors", "--architecture", "{architecture}", "--train-count", "4", "--test-count", "2",
              "--batch-size", "2", "--pretrain-steps", "1", "--steps", "1", "--log-every", "1"],
    "eval": ["{checkpoint}", "--count", "2"],
    "quantize": ["{checkpoint}", "--calibration", "synthetic", "--out", "m.blob", "--calibration-count", "2",
                 "--evaluation-count", "2", "--method", "minmax", "--bias-correction", "off", "--quiet"],
    "drift": ["--float", "{checkpoint}", "--int8", "{blob}", "--data", "synthetic", "--count", "2", "--layers",
              "--layer-faces", "1", "--quiet"],
    "golden": ["--model", "{blob}", "--out", "g", "--count", "1"],
    "export": ["--format", "c-array", "{blob}", "--out", "m.c"],
    "inspect": ["{blob}"],
    "import-model": ["{onnx}", "--out", "imported.safetensors"],
    "analyze": ["{picture}", "--model", "{blob}", "--detect", "--detector", "{detector}"],
    "detect": ["{picture}", "--detector", "{detector}"],
    "stream": ["{frames}", "--frame-size", "32x32", "--format", "gray8", "--model", "{blob}", "--detector", "{detector}"],
    "demo": ["--model", "{faces}", "--count", "1", "--first", "0", "--sheet", "d.png"],
    "bench": ["{blob}", "--runs", "1", "--warmup", "0"],
    "experiment": ["sdae-vs-random", "--budgets", "2", "--seeds", "1", "--pool", "4", "--test-count", "2", "--steps", "1",
                   "--pretrain-steps", "1", "--setups", "random", "--out", "cells",
                   "--docs", "{docs}", "--max-cells", "1"],
    "detect-eval scenes": ["--count", "1", "--detector", "{detector}"],
    "detect-eval lfw": ["{patches}", "--architecture", "{face24}", "--folds", "2", "--steps", "1", "--lfw-repeats", "1"],
}

# A network small enough that a step takes milliseconds even in a debug build: 16x16 RGB
# faces, gender, age and one attribute.
TINY = {"inputHeight": 16, "inputWidth": 16, "inputChannels": 3,
        "encoder": [{"kind": "conv2d", "filters": 4, "kernel": 3, "stride": 2, "padding": "same", "activation": "relu"},
                    {"kind": "globalAveragePool"}],
        "heads": [{"name": "gender", "task": "binary", "labels": ["male"], "outputScale": 1, "outputOffset": 0,
                   "hidden": [{"kind": "dense", "units": 4, "activation": "relu"}]},
                  {"name": "age", "task": "regression", "labels": ["age"], "outputScale": 20, "outputOffset": 35,
                   "hidden": [{"kind": "dense", "units": 4, "activation": "relu"}]},
                  {"name": "attributes", "task": "binary", "labels": ["Smiling"], "outputScale": 1, "outputOffset": 0,
                   "hidden": []}]}

# A face / not-face model on 8x8 gray windows: the localiser's work is the windows it scores,
# and a window of this model takes microseconds even in a debug build.
TINY_DETECTOR = {"inputHeight": 8, "inputWidth": 8, "inputChannels": 1,
                 "encoder": [{"kind": "conv2d", "filters": 2, "kernel": 3, "stride": 2, "padding": "same",
                              "activation": "relu"}, {"kind": "globalAveragePool"}],
                 "heads": [{"name": "face", "task": "binary", "labels": ["face"], "outputScale": 1, "outputOffset": 0,
                            "hidden": []}]}

SPECIAL = ["-1", "0", "nan", "-nan", "inf", "-inf", "infinity", "1e40", "-1e40", "1e-45", "3.4e38", "-0",
           "2147483647", "2147483648", "4294967296", "9223372036854775807", "9223372036854775808",
           "-9223372036854775808", "18446744073709551615", "18446744073709551616", "1" + "0" * 40,
           "", " ", "abc", "1x", "0x10", "1e3", "+1", "1_000", "1,5", "--", "\u0661", "-", "."]


def run(argv, cwd, timeout, memory):
    """Runs argv in cwd under the limits: (status, or minus the signal; seconds; peak resident
    bytes; whether it passed the wall limit; the end of its standard error)."""
    def limit():
        resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
        os.setsid()
    start = time.monotonic()
    with open(os.path.join(cwd, ".stderr"), "w+b") as err:
        process = subprocess.Popen(argv, cwd=cwd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=err,
                                   preexec_fn=limit)
        expired = threading.Event()

        def kill():
            expired.set()
            os.killpg(process.pid, signal.SIGKILL)
        timer = threading.Timer(timeout, kill)
        timer.start()
        _, wait_status, usage = os.wait4(process.pid, 0)
        timer.cancel()
        process.returncode = os.waitstatus_to_exitcode(wait_status)
        err.seek(0)
        tail = err.read().decode(errors="replace")[-400:]
    return process.returncode, time.monotonic() - start, usage.ru_maxrss * 1024, expired.is_set(), tail


def make_fixtures(facelyzr, folder):
    """The small inputs the subcommands read, made once with facelyzr itself."""
    def sh(*args):
        result = subprocess.run([facelyzr, *args], cwd=folder, capture_output=True, text=True)
        if result.returncode != 0:
            sys.exit(f"cli_fuzz: fixture `facelyzr {' '.join(args)}` failed ({result.returncode}): {result.stderr}")
    f = {"architecture": os.path.join(folder, "tiny.json"), "detector-architecture": os.path.join(folder, "tiny-detector.json"),
         "face24": os.path.join(ROOT, "tools/detection/face-24.json"), "faces": os.path.join(ROOT, "firmware-model/facelyzr.blob")}
    for path, architecture in [(f["architecture"], TINY), (f["detector-architecture"], TINY_DETECTOR)]:
        with open(path, "w") as file:
            json.dump(architecture, file)
    sh("scenes", "--patches", "patches8", "--patch-size", "8", "--train-scenes", "2", "--calibration-scenes", "1",
       "--test-scenes", "1")
    sh("train", "--dataset", "patches8", "--architecture", f["detector-architecture"], "--output", "detector.safetensors",
       "--test-count", "2", "--batch-size", "2", "--pretrain-steps", "0", "--steps", "2")
    sh("quantize", "detector.safetensors", "--calibration", "patches8", "--calibration-count", "4", "--evaluation-count", "0",
       "--method", "minmax", "--bias-correction", "off", "--out", "detector.blob", "--quiet")
    f["detector"] = os.path.join(folder, "detector.blob")
    sh("scenes", "--patches", "patches", "--patch-size", "24", "--train-scenes", "2", "--calibration-scenes", "1",
       "--test-scenes", "1")
    f["patches"] = os.path.join(folder, "patches")
    sh("train", "--output", "tiny.safetensors", "--architecture", f["architecture"], "--train-count", "8",
       "--test-count", "2", "--batch-size", "2", "--pretrain-steps", "0", "--steps", "2")
    f["checkpoint"] = os.path.join(folder, "tiny.safetensors")
    sh("quantize", f["checkpoint"], "--calibration", "synthetic", "--calibration-count", "4", "--evaluation-count", "0",
       "--method", "minmax", "--bias-correction", "off", "--out", "tiny.blob", "--quiet")
    f["blob"] = os.path.join(folder, "tiny.blob")
    sh("synth", "--count", "1", "--size", "32", "pictures")
    f["picture"] = os.path.join(folder, "pictures", "000000.png")
    os.makedirs(os.path.join(folder, "utkface"))
    shutil.copy(f["picture"], os.path.join(folder, "utkface", "30_1_0_20170116174525125.jpg.png"))
    shutil.copy(f["picture"], os.path.join(folder, "utkface", "25_0_1_20170116174525126.jpg"))
    f["utkface"] = os.path.join(folder, "utkface")
    f["frames"] = os.path.join(folder, "frames.gray8")
    with open(f["frames"], "wb") as frames:  # three 32x32 gray frames: a gradient, black, white
        frames.write(bytes((x + y) * 4 for y in range(32) for x in range(32)) + bytes(1024) + bytes([255]) * 1024)
    f["onnx"] = os.path.join(ROOT, "Tests/FacelyzrModelImportTests/Fixtures/chain.onnx")
    f["docs"] = os.path.join(folder, "experiment.md")
    with open(f["docs"], "w") as doc:
        doc.write("<!-- experiment sdae-vs-random cells: table generated by `facelyzr experiment`, do not edit -->\n"
                  "<!-- end experiment sdae-vs-random cells -->\n")
    return f


def discover(facelyzr, fixtures, folder):
    """(subcommand words, option) for every numeric option of every subcommand in BASE."""
    tree = json.loads(subprocess.run([facelyzr, "--experimental-dump-help"], capture_output=True, text=True,
                                     check=True).stdout)["command"]
    found, unknown = [], []

    def walk(command, words):
        key = " ".join(words)
        subcommands = command.get("subcommands") or []
        if words and not subcommands:
            if key not in BASE:
                unknown.append(key)
                return
            for argument in command.get("arguments") or []:
                names = [n["name"] for n in argument.get("names") or [] if n.get("kind") == "long"]
                if argument.get("kind") != "option" or not names or argument.get("allValues"):
                    continue
                option = "--" + names[0]
                if is_numeric(facelyzr, words, option, argument.get("defaultValue"), fixtures, folder):
                    found.append((words, option))
        for sub in subcommands:
            if sub["commandName"] != "help":
                walk(sub, words + [sub["commandName"]])

    walk(tree, [])
    if unknown:
        sys.exit(f"cli_fuzz: no BASE arguments for {', '.join(unknown)}: add them to tools/fuzz/cli_fuzz.py")
    return found


def is_numeric(facelyzr, words, option, default, fixtures, folder):
    """Whether the option takes a number: its default is one, or without a default the parser
    refuses `abc` and takes `7` (`--help` after it, so nothing runs)."""
    if default is not None:
        try:
            float(default)
            return True
        except ValueError:
            return False
    def refused(value):
        result = subprocess.run([facelyzr, *words, *expand(BASE[" ".join(words)], fixtures), f"{option}={value}",
                                 "--help"], cwd=folder, capture_output=True, text=True)
        return f"invalid for '{option}" in result.stderr
    return refused("abc") and not refused("7")


def expand(arguments, fixtures):
    """BASE arguments with the fixtures' paths filled in."""
    return [a.format(**fixtures) for a in arguments]


def value(rng):
    """One random value: a special one, a small valid number, a float, or a huge or negative integer."""
    roll = rng.random()
    if roll < 0.55:
        return rng.choice(SPECIAL)
    if roll < 0.75:
        return str(rng.randint(0, 8))
    if roll < 0.85:
        return repr(round(rng.uniform(-2, 2), rng.randint(0, 6)))
    if roll < 0.93:
        return str(rng.randint(2**31, 2**64) * rng.choice([1, -1]))
    return str(-rng.randint(1, 2**20))


def cases(targets, count, seed):
    """The seeded case list: (index, words, [(option, value, attached)])."""
    rng = random.Random(seed)
    by_command = collections.defaultdict(list)
    for words, option in targets:
        by_command[tuple(words)].append(option)
    commands = sorted(by_command)
    result = []
    for i in range(count):
        words = commands[i % len(commands)]
        options = rng.sample(by_command[words], min(len(by_command[words]), 1 if rng.random() < 0.7 else 2))
        result.append((i, list(words), [(o, value(rng), rng.random() < 0.8) for o in options]))
    return result


def argv_of(facelyzr, case, fixtures):
    _, words, fuzzed = case
    argv = [facelyzr, *words, *expand(BASE[" ".join(words)], fixtures)]
    for option, v, attached in fuzzed:
        argv += [f"{option}={v}"] if attached else [option, v]
    return argv


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("facelyzr")
    parser.add_argument("--cases", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--timeout", type=float, default=20.0, help="wall-clock seconds per case")
    parser.add_argument("--memory", type=int, default=4096, help="address-space limit per case, MiB")
    parser.add_argument("--only", type=int, help="run only case N (with its seed) and show its output")
    a = parser.parse_args()
    facelyzr = os.path.abspath(a.facelyzr)
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="facelyzr-cli-fuzz-") as scratch:
        os.makedirs(os.path.join(scratch, "fixtures"))
        fixtures = make_fixtures(facelyzr, os.path.join(scratch, "fixtures"))
        targets = discover(facelyzr, fixtures, scratch)
        subcommands = sorted({" ".join(w) for w, _ in targets})
        print(f"cli_fuzz: {len(targets)} numeric options of {len(subcommands)} subcommands "
              f"({', '.join(subcommands)}); seed {a.seed}, {a.cases} cases, {a.timeout:g} s and {a.memory} MiB each")
        # Each subcommand's BASE run must succeed, so that a fuzzed value in range makes a valid run.
        for words in sorted({tuple(w) for w, _ in targets}):
            cwd = tempfile.mkdtemp(dir=scratch)
            argv = argv_of(facelyzr, (0, list(words), []), fixtures)
            status, seconds, _, _, err = run(argv, cwd, a.timeout, a.memory << 20)
            if status != 0:
                sys.exit(f"cli_fuzz: the base run `{' '.join(argv[1:])}` failed ({status}, {seconds:.1f} s): {err}")
            if a.only is not None or os.environ.get("CLI_FUZZ_VERBOSE"):
                print(f"  base run {' '.join(words)}: {seconds:.2f} s")
        todo = cases(targets, a.cases, a.seed)
        if a.only is not None:
            todo = [todo[a.only]]

        def one(case):
            cwd = tempfile.mkdtemp(dir=scratch)
            try:
                argv = argv_of(facelyzr, case, fixtures)
                status, seconds, peak, timed_out, err = run(argv, cwd, a.timeout, a.memory << 20)
                return case, argv, status, seconds, peak, timed_out, err
            finally:
                shutil.rmtree(cwd, ignore_errors=True)

        statuses, slowest, failures, peaks = collections.Counter(), [], [], []
        with concurrent.futures.ThreadPoolExecutor(a.jobs) as pool:
            for case, argv, status, seconds, peak, timed_out, err in pool.map(one, todo):
                shown = " ".join(repr(x) if (not x or " " in x) else x for x in argv[1:]).replace(scratch, "$T")
                key = "timeout" if timed_out else (f"signal {-status}" if status < 0 else f"exit {status}")
                statuses[key] += 1
                slowest.append((seconds, case[0], shown))
                peaks.append((peak, case[0], shown))
                if timed_out or status not in STATUSES:
                    failures.append(f"case {case[0]}: {key} after {seconds:.1f} s: facelyzr {shown}\n    {err.strip()[-300:]}")
                    print("FAIL " + failures[-1], flush=True)
                if a.only is not None:
                    print(f"{key} after {seconds:.2f} s: facelyzr {shown}\n{err}")
                done = sum(statuses.values())
                if done % 5000 == 0 and done < len(todo):
                    print(f"cli_fuzz: {done} cases, {time.monotonic() - started:.0f} s: "
                          + ", ".join(f"{k} {v}" for k, v in sorted(statuses.items())) + f"; {len(failures)} failed", flush=True)
    slowest.sort(reverse=True)
    print(f"cli_fuzz: {len(todo)} cases in {time.monotonic() - started:.0f} s: "
          + ", ".join(f"{k} {v}" for k, v in sorted(statuses.items())))
    for seconds, index, shown in slowest[:5]:
        print(f"  slowest: case {index}, {seconds:.2f} s: facelyzr {shown}")
    peak, index, shown = max(peaks)
    print(f"  largest: case {index}, {peak >> 20} MiB resident: facelyzr {shown}")
    if failures:
        sys.exit(f"cli_fuzz: {len(failures)} of {len(todo)} cases ended by a signal, an unknown status or past the limit")
    print("cli_fuzz: no signal, no unknown status, no case past its limit")


if __name__ == "__main__":
    main()
