#!/usr/bin/env python3
"""Training speed: Facelyzr's trainer next to TensorFlow (tf.keras) on the same network, the same
faces, batch, optimiser and thread counts, interleaved in one run. Kept out of CI; run through
tools/peers/trainer-speed.sh (docs/training.md, "Speed").

What is timed, on both sides, as two tasks:
- `supervised`: training steps of the whole network (encoder fine-tuned, the three heads, dropout
  on): drawing a batch of 32 random faces, forward, the heads' losses (BCE with logits masked
  where unknown; for age the Huber delta 0.25 on `(age - 35) / 20` of a regression head, or an
  expected-value head's soft-label cross-entropy plus `|E - age| / binSigma`; each times the head's
  `lossWeight`, docs/training.md "Losses"), backward, and Adam with decoupled weight
  decay 1e-4 on weights (not biases) and a warm-up + cosine learning rate.
- `sdae`: SDAE pre-training of the first encoder block (docs/training.md "Pre-training"): drawing
  a batch, masking a random quarter of the input values, the block's convolution (ReLU), its 2x2
  max pool and max unpooling to the positions of the maxima, a linear 3x3 decoder convolution back
  to the input's channels, the MSE against the clean input, backward through decoder and encoder,
  Adam (no weight decay, peak 0.01, warm-up then cosine). Facelyzr runs `facelyzr pretrain` and
  is stopped once its first block's steps are timed.
The faces are one Facelyzr dataset file (`facelyzr synth --dataset`), so neither side renders
faces while it trains:
Facelyzr (`facelyzr train --dataset`) reads each batch's records from the file, TensorFlow indexes
the same faces decoded once into a numpy array (tools/fzds.py).

A run is `--steps` steps; every `--log-every` steps the time and the process's CPU time are
taken (Facelyzr: when its progress line arrives, CPU time from /proc/PID/stat; TensorFlow: in the
worker, after the step's loss is fetched). The first window (start-up, tracing the tf.function)
is dropped; a run's figures are the medians of its windows: images per second of wall time, and
images per CPU-second (wall-time speed divided by the cores the process kept busy, which the
other jobs on a shared machine disturb much less). Each round runs both sides back to back for
each thread count, alternating which goes first; the table gives the medians over rounds.
"""
import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))


def tensorflow_worker(a):
    """One TensorFlow run in this (fresh) process: `a.threads` intra-op threads, one inter-op."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    import tensorflow as tf
    tf.config.threading.set_intra_op_parallelism_threads(a.threads)
    tf.config.threading.set_inter_op_parallelism_threads(1)
    sys.path.insert(0, os.path.join(HERE, ".."))
    import fzds
    import keras_net

    arch = json.load(open(a.architecture))
    data = fzds.read(a.dataset)
    x = ((data["pixels"].astype(np.float32) - 128) / 128).astype(np.float32)
    names = data["attribute_names"]
    head_targets = []
    for head in arch["heads"]:
        columns = []
        for label in head["labels"]:
            if label == "male":
                columns.append(data["gender"])
            elif label == "age":
                columns.append((data["age"] - head["outputOffset"]) / head["outputScale"])
            else:
                j = names.index(label)
                columns.append(np.where(data["attribute_known"][:, j], data["attribute_values"][:, j].astype(np.float32), np.nan))
        head_targets.append(np.stack(columns, axis=1).astype(np.float32))

    tf.keras.utils.set_random_seed(1)

    class WarmupCosine(tf.keras.optimizers.schedules.LearningRateSchedule):
        """Facelyzr's schedule (docs/training.md "Optimisers"): linear warm-up, then cosine to 0."""
        def __init__(self, base, warmup, total):
            self.base, self.warmup, self.total = base, warmup, total

        def __call__(self, step):
            s, base, warmup = tf.cast(step, tf.float32), self.base, self.warmup
            cosine = 0.5 * base * (1 + tf.cos(np.pi * tf.minimum((s - warmup) / max(self.total - warmup, 1), 1.0)))
            return tf.where(s < warmup, base * (s + 1) / warmup, cosine)

    if a.task == "sdae":
        step, batches = sdae_block_step(a, arch, tf, WarmupCosine), lambda batch: (tf.constant(x[batch]),)
    else:
        step = supervised_step(a, arch, tf, keras_net, WarmupCosine)
        batches = lambda batch: (tf.constant(x[batch]), *[tf.constant(t[batch]) for t in head_targets])

    rng = np.random.default_rng(1)
    rates, cores = [], []
    start, cpu = time.perf_counter(), time.process_time()
    for s in range(1, a.steps + 1):
        loss = step(*batches(rng.integers(0, len(x), a.batch_size)))
        if s % a.log_every == 0:
            loss.numpy()  # the step has finished
            now, now_cpu = time.perf_counter(), time.process_time()
            rates.append(a.log_every * a.batch_size / (now - start))
            cores.append((now_cpu - cpu) / (now - start))
            start, cpu = now, now_cpu
    print(json.dumps({"tensorflow": tf.__version__, "imagesPerSecond": rates, "coresBusy": cores}))


def sdae_block_step(a, arch, tf, WarmupCosine):
    """The compiled step of SDAE pre-training of the first encoder block, as Facelyzr's
    DenoisingAutoencoder does it: masking corruption, conv + ReLU, 2x2 max pool, max unpooling
    (each pooled value back where its maximum was, zeros elsewhere), linear decoder conv, MSE."""
    keras = tf.keras
    spec = arch["encoder"][0]
    assert spec["kind"] == "conv2d" and arch["encoder"][1]["kind"] == "maxPool2x2", "the first block is conv + max pool"
    encoder = keras.layers.Conv2D(spec["filters"], spec["kernel"], padding="same", activation="relu")
    decoder = keras.layers.Conv2D(arch["inputChannels"], spec["kernel"], padding="same")
    encoder.build((None, arch["inputHeight"], arch["inputWidth"], arch["inputChannels"]))
    decoder.build((None, arch["inputHeight"], arch["inputWidth"], spec["filters"]))
    optimizer = keras.optimizers.Adam(learning_rate=WarmupCosine(0.01, min(20, a.steps // 10), a.steps),
                                      beta_1=0.9, beta_2=0.999, epsilon=1e-8)
    variables = encoder.trainable_variables + decoder.trainable_variables

    @tf.function
    def step(clean):
        corrupted = tf.where(tf.random.uniform(tf.shape(clean)) < 0.25, 0.0, clean)
        with tf.GradientTape() as tape:
            hidden = encoder(corrupted)
            pooled = tf.nn.max_pool2d(hidden, 2, 2, "VALID")
            # Max unpooling: the pooled value where the window's maximum was (ties keep all).
            spread = tf.repeat(tf.repeat(pooled, 2, axis=1), 2, axis=2)
            expanded = tf.where(tf.equal(hidden, tf.stop_gradient(spread)), spread, 0.0)
            loss = tf.reduce_mean(tf.square(decoder(expanded) - clean))
        optimizer.apply_gradients(zip(tape.gradient(loss, variables), variables))
        return loss

    return step


def supervised_step(a, arch, tf, keras_net, WarmupCosine):
    """The compiled supervised step of the whole network (encoder fine-tuned), AdamW."""
    model = keras_net.build(arch, tf)
    optimizer = tf.keras.optimizers.AdamW(learning_rate=WarmupCosine(a.learning_rate, 100, a.steps),
                                          weight_decay=a.weight_decay, beta_1=0.9, beta_2=0.999, epsilon=1e-8)
    optimizer.exclude_from_weight_decay(var_names=["bias"])
    heads = arch["heads"]

    def masked_mean(values, known):
        return tf.reduce_sum(tf.where(known, values, 0.0)) / tf.maximum(tf.reduce_sum(tf.cast(known, tf.float32)), 1.0)

    @tf.function
    def step(images, *targets):
        with tf.GradientTape() as tape:
            outputs = model(images, training=True)
            total = 0.0
            for head, z, t in zip(heads, outputs, targets):
                known = ~tf.math.is_nan(t)
                t = tf.where(known, t, 0.0)
                if head["task"] == "binary":
                    loss = tf.nn.sigmoid_cross_entropy_with_logits(labels=t, logits=z)
                elif head["task"] == "expectedValue":  # docs/training.md "Losses"
                    b, s = tf.constant(head["bins"]), head["binSigma"]
                    q = tf.nn.softmax(-tf.square(b - t) / (2 * s * s))
                    e = tf.reduce_sum(tf.nn.softmax(z) * b, -1, keepdims=True)
                    loss = -tf.reduce_sum(q * tf.nn.log_softmax(z), -1, keepdims=True) + tf.abs(e - t) / s
                else:
                    d = tf.abs(z - t)
                    loss = tf.where(d <= 0.25, d * d / 2, 0.25 * (d - 0.125))
                total += head.get("lossWeight", 1.0) * masked_mean(loss, known)
        variables = model.trainable_variables
        optimizer.apply_gradients(zip(tape.gradient(total, variables), variables))
        return total

    return step


def facelyzr_run(a, task, threads, dataset, scratch):
    """One `facelyzr train` run (task `supervised`) or `facelyzr pretrain` run (task `sdae`,
    stopped once its first block's steps are timed): per window after the first, images per
    second of wall time and cores busy (the child's CPU time from /proc/PID/stat, read when each
    progress line arrives)."""
    common = ["--dataset", dataset, "--output", os.path.join(scratch, "bench.safetensors"), "--batch-size", str(a.batch_size),
              "--threads", str(threads), "--log-every", str(a.log_every), "--checkpoint-every", "0"]
    if task == "sdae":
        command, progress = ["pretrain", "--steps", str(a.steps)], r"pretrain block 0 step \d+\s+loss"
    else:
        command = ["train", "--pretrain-steps", "0", "--steps", str(a.steps), "--learning-rate", str(a.learning_rate),
                   "--weight-decay", str(a.weight_decay), "--test-count", "0"]
        progress = r"supervised step \d+\s+loss"
    process = subprocess.Popen([a.facelyzr, *command, *common], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    tick = os.sysconf("SC_CLK_TCK")
    marks = []
    for line in process.stdout:
        if re.search(progress, line):
            fields = open(f"/proc/{process.pid}/stat").read().rsplit(")", 1)[1].split()
            marks.append((time.perf_counter(), (int(fields[11]) + int(fields[12])) / tick))
            if len(marks) == a.steps // a.log_every and task == "sdae":
                process.terminate()  # the later blocks are not timed
                break
    process.stdout.close()
    if process.wait() not in (0, -15 if task == "sdae" else 0):
        sys.exit(f"facelyzr {command[0]} exited with status {process.returncode}")
    images = a.log_every * a.batch_size
    rates = [images / (t1 - t0) for (t0, _), (t1, _) in zip(marks, marks[1:])]
    cores = [(c1 - c0) / (t1 - t0) for (t0, c0), (t1, c1) in zip(marks, marks[1:])]
    return rates, cores


def tensorflow_run(a, task, threads, dataset, architecture):
    """One TensorFlow run in a fresh process; the same figures, its first window dropped."""
    out = subprocess.run([sys.executable, os.path.abspath(__file__), "tensorflow-worker", "--task", task, "--threads", str(threads),
                          "--dataset", os.path.join(dataset, "samples.fzds"), "--architecture", architecture,
                          "--steps", str(a.steps), "--batch-size", str(a.batch_size), "--log-every", str(a.log_every),
                          "--learning-rate", str(a.learning_rate), "--weight-decay", str(a.weight_decay)],
                         stdout=subprocess.PIPE, check=True, text=True).stdout
    result = json.loads(out.strip().splitlines()[-1])
    return result["imagesPerSecond"][1:], result["coresBusy"][1:], result["tensorflow"]


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("mode", nargs="?", default="compare", choices=["compare", "tensorflow-worker"])
    p.add_argument("--facelyzr", default=".build/release/facelyzr")
    p.add_argument("--faces", type=int, default=4096, help="faces in the in-memory training set")
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("--steps", type=int, default=120)
    p.add_argument("--log-every", type=int, default=20)
    p.add_argument("--batch-size", type=int, default=32)
    p.add_argument("--learning-rate", type=float, default=0.004)
    p.add_argument("--weight-decay", type=float, default=1e-4)
    p.add_argument("--threads", default="1,2")
    p.add_argument("--tasks", default="supervised,sdae", help="supervised and/or sdae (pre-training of the first block)")
    # tensorflow-worker only
    p.add_argument("--task", choices=["supervised", "sdae"])
    p.add_argument("--dataset")
    p.add_argument("--architecture")
    a = p.parse_args()
    if a.mode == "tensorflow-worker":
        a.threads = int(a.threads)
        return tensorflow_worker(a)

    with tempfile.TemporaryDirectory() as scratch:
        dataset = os.path.join(scratch, "faces")
        subprocess.run([a.facelyzr, "synth", "--split", "train", "--count", str(a.faces), "--dataset", dataset],
                       check=True, stdout=subprocess.DEVNULL)
        architecture = os.path.join(scratch, "architecture.json")
        with open(architecture, "w") as f:
            f.write(subprocess.run([a.facelyzr, "train", "--print-architecture"], stdout=subprocess.PIPE, check=True, text=True).stdout)
        thread_counts = [int(t) for t in a.threads.split(",")]
        tasks = a.tasks.split(",")
        runs = {(task, side, t): [] for task in tasks for side in ("Facelyzr", "TensorFlow") for t in thread_counts}
        version = "?"
        for r in range(a.rounds):
            for task in tasks:
                for t in thread_counts:
                    for side in ("Facelyzr", "TensorFlow") if r % 2 == 0 else ("TensorFlow", "Facelyzr"):
                        if side == "Facelyzr":
                            rates, cores = facelyzr_run(a, task, t, dataset, scratch)
                        else:
                            rates, cores, version = tensorflow_run(a, task, t, dataset, architecture)
                        # Images per second of wall time, and per second of CPU time (robust to other jobs).
                        figure = (statistics.median(rates), statistics.median(r_ / c for r_, c in zip(rates, cores)))
                        runs[(task, side, t)].append(figure)
                        print(f"round {r + 1} {task:<10} threads {t} {side:<10} {figure[0]:6.1f} images/s, {figure[1]:6.1f} images/CPU-s  "
                              f"(windows {' '.join(f'{w:.0f}' for w in rates)}; cores busy {' '.join(f'{c:.2f}' for c in cores)}; "
                              f"load average {os.getloadavg()[0]:.1f})", flush=True)

    print(f"\n{' and '.join(tasks)}, standard network, batch {a.batch_size}, {a.steps} steps per run "
          f"({a.steps // a.log_every - 1} timed windows of {a.log_every} steps), {a.faces} in-memory faces, {a.rounds} rounds; "
          f"TensorFlow {version} (tf.keras, tf.function); medians over rounds of each run's median window")
    print(f"{'task':<11} {'threads':<8} {'Facelyzr':>10} {'TensorFlow':>11} {'ratio':>6}   {'Facelyzr':>10} {'TensorFlow':>11} {'ratio':>6}")
    print(f"{'':<20} {'images per second (wall)':>29}   {'images per CPU-second':>29}")
    for task in tasks:
        for t in thread_counts:
            cells = []
            for k in (0, 1):
                f, tf_ = (statistics.median(x[k] for x in runs[(task, side, t)]) for side in ("Facelyzr", "TensorFlow"))
                cells.append(f"{f:>10.1f} {tf_:>11.1f} {f / tf_:>6.2f}")
            print(f"{task:<11} {t:<8} " + "   ".join(cells))


if __name__ == "__main__":
    main()
