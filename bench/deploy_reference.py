#!/usr/bin/python3
"""Plain-PyTorch reference for `neuralcanvas-cli benchmark` (see bench/deploy_vs_pytorch.sh).

Loads the archive with torch.jit.load and measures it exactly the way the CLI does
(core/deploy/Benchmark.cpp): eval mode, torch.inference_mode(), per (batch size, threads) case
torch.set_num_threads(threads), one random input (float in [0, 1) or token ids below the
vocabulary size), `warmup` runs not counted, then runs timed one by one with a monotonic clock
until `seconds` have passed and at least `min_runs` were measured (a case stops at
max(30 s, 10 x seconds) with at least 3 runs); latency percentiles by nearest rank, samples/s from
the mean latency, peak memory = the process's VmHWM after resetting it (/proc/self/clear_refs).

usage: deploy_reference.py MODEL.pt [--batch-sizes 1,8,32,128] [--threads 1,2] [--seconds 2]
                           [--warmup 3] [--min-runs 10] [--input-shape 1,28,28]
                           [--dtype float32|int64] [--json FILE]
"""
import argparse
import json
import math
import sys
import time

import torch


def int_list(text):
    values = [int(v) for v in text.split(",")]
    if not values or any(v < 1 for v in values):
        raise argparse.ArgumentTypeError("expected positive integers, got " + text)
    return values


def reset_peak_memory():
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
    except OSError:
        pass


def peak_memory_bytes():
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    return 0


def percentile(sorted_ms, p):
    rank = math.ceil(p / 100.0 * len(sorted_ms))
    return sorted_ms[min(max(rank, 1), len(sorted_ms)) - 1]


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("model")
    ap.add_argument("--batch-sizes", type=int_list, default=[1, 8, 32, 128])
    ap.add_argument("--threads", type=int_list, default=None)
    ap.add_argument("--seconds", type=float, default=2.0)
    ap.add_argument("--warmup", type=int, default=3)
    ap.add_argument("--min-runs", type=int, default=10)
    ap.add_argument("--input-shape", type=int_list, default=None)
    ap.add_argument("--dtype", choices=["float32", "int64"], default=None)
    ap.add_argument("--json", default=None)
    args = ap.parse_args()

    # The oneDNN quantized engine, as the CLI selects it before loading (packed weights are
    # repacked for the current engine at load time).
    if "onednn" in torch.backends.quantized.supported_engines:
        torch.backends.quantized.engine = "onednn"
    extra = {"neuralcanvas/meta.json": ""}
    model = torch.jit.load(args.model, map_location="cpu", _extra_files=extra)
    model.eval()
    meta = json.loads(extra["neuralcanvas/meta.json"]) if extra["neuralcanvas/meta.json"] else {}
    meta_input = meta.get("input", {})
    shape = args.input_shape or meta_input.get("shape")
    if not shape:
        sys.exit(args.model + ": the archive records no input shape: give --input-shape")
    dtype = args.dtype or meta_input.get("dtype") or "float32"
    vocab = meta_input.get("vocab_size") or 0
    if vocab <= 0:
        vocab = next((p.shape[0] for n, p in model.named_parameters()
                      if "embed" in n.lower() and p.dim() == 2), 2)
    threads = args.threads or [torch.get_num_threads()]
    saved_threads = torch.get_num_threads()
    limit_seconds = max(30.0, 10.0 * args.seconds)

    cases = []
    with torch.inference_mode():
        for batch in args.batch_sizes:
            for t in threads:
                torch.set_num_threads(t)
                sizes = [batch] + list(shape)
                x = torch.randint(0, vocab, sizes, dtype=torch.long) if dtype == "int64" else torch.rand(sizes)
                reset_peak_memory()
                for _ in range(args.warmup):
                    model(x)
                ms = []
                elapsed = 0.0
                capped = False
                while True:
                    start = time.perf_counter()
                    model(x)
                    seconds = time.perf_counter() - start
                    ms.append(seconds * 1000.0)
                    elapsed += seconds
                    if len(ms) >= args.min_runs and elapsed >= args.seconds:
                        break
                    if len(ms) >= 1000000 or (len(ms) >= 3 and elapsed >= limit_seconds):
                        capped = len(ms) < args.min_runs
                        break
                peak = peak_memory_bytes()
                mean = elapsed * 1000.0 / len(ms)
                ms.sort()
                case = {"batch_size": batch, "threads": t, "runs": len(ms), "capped": capped,
                        "p50_ms": percentile(ms, 50), "p95_ms": percentile(ms, 95),
                        "p99_ms": percentile(ms, 99), "mean_ms": mean,
                        "samples_per_second": batch * 1000.0 / mean, "peak_memory_bytes": peak}
                cases.append(case)
                print("batch %6d  threads %3d  runs %7d  p50 %9.3f ms  p95 %9.3f ms  p99 %9.3f ms  "
                      "%12.1f samples/s  peak %7.1f MiB" % (batch, t, len(ms), case["p50_ms"], case["p95_ms"],
                                                            case["p99_ms"], case["samples_per_second"],
                                                            peak / 1048576.0), flush=True)
    torch.set_num_threads(saved_threads)
    report = {"format": "pytorch-reference-benchmark", "torch_version": torch.__version__,
              "archive": args.model, "input": {"shape": list(shape), "dtype": dtype},
              "quantization": meta.get("quantization", "none"), "cases": cases}
    if args.json:
        with open(args.json, "w") as f:
            json.dump(report, f, indent=2)


if __name__ == "__main__":
    main()
