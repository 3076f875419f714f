"""Checks the exported training program (export --format pytorch-training) against our trainer.

usage: training_program_check.py CLI SOURCE_DIR WORK_DIR [--steps N] [--limit N] [--torchrun-limit N]

1. The CNN template without its Dropout node, on a Fashion-MNIST slice: `neuralcanvas-cli train`
   and one process of train.py (same seed) for one epoch; the per-step losses of their
   metrics.jsonl are compared over the first N steps (prints the largest absolute difference).
2. The CNN template under torchrun with 2 processes (gloo) for one epoch on a smaller slice: both
   ranks end with identical weights (each writes a hash), rank 0 writes the output folder.
Prints "OK ..." lines; exits non-zero with a message on any failure.
"""
import hashlib
import json
import os
import subprocess
import sys
import time

PY = "/usr/bin/python3"


def fail(msg):
    print("FAIL: " + msg, flush=True)
    sys.exit(1)


def run(cmd, **kw):
    t0 = time.time()
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, **kw)
    if p.returncode != 0:
        fail("%s exited with %d:\n%s" % (" ".join(cmd), p.returncode, p.stdout[-4000:]))
    return p.stdout, time.time() - t0


def step_losses(path):
    losses = {}
    with open(path) as f:
        for line in f:
            j = json.loads(line)
            if j["kind"] == "step":
                losses[j["step"]] = j["loss"]
    return losses


def idx_slice(source, target, train, test):
    """Raw IDX files with the first `train` / `test` items of Fashion-MNIST (fast to read)."""
    import gzip
    import struct
    os.makedirs(target, exist_ok=True)
    for prefix, count in (("train", train), ("t10k", test)):
        for kind, rank in (("images-idx3-ubyte", 3), ("labels-idx1-ubyte", 1)):
            with gzip.open(os.path.join(source, "%s-%s.gz" % (prefix, kind))) as f:
                head = f.read(4 + 4 * rank)
                dims = list(struct.unpack(">" + "I" * rank, head[4:]))
                item = 1
                for d in dims[1:]:
                    item *= d
                body = f.read(count * item)
            dims[0] = count
            with open(os.path.join(target, "%s-%s" % (prefix, kind)), "wb") as f:
                f.write(head[:4] + struct.pack(">" + "I" * rank, *dims) + body)


def without_dropout(project):
    g = project["graph"]
    drop = [n["id"] for n in g["nodes"] if n["type"] == "Dropout"]
    for d in drop:
        into = [e for e in g["edges"] if e["to"]["node"] == d][0]
        outs = [e for e in g["edges"] if e["from"]["node"] == d]
        g["edges"] = [e for e in g["edges"] if e is not into and e not in outs]
        for e in outs:
            g["edges"].append({"from": dict(into["from"]), "to": dict(e["to"])})
        g["nodes"] = [n for n in g["nodes"] if n["id"] != d]
    return project


def main():
    args = sys.argv[1:]
    cli, source, work = args[:3]
    opts = dict(zip(args[3::2], args[4::2]))
    steps = int(opts.get("--steps", 12))
    limit = int(opts.get("--limit", 900))  # 810 training samples: 13 steps of 64 (7200: 102 steps)
    tr_limit = int(opts.get("--torchrun-limit", 400))
    test = int(opts.get("--test", 256))
    os.makedirs(work, exist_ok=True)
    template = json.load(open(os.path.join(source, "resources/templates/cnn.json")))
    data = os.path.join(work, "fashion-slice")  # "fashion" in the name: Fashion-MNIST's class names
    idx_slice(opts.get("--data", "/usr/share/datasets/fashion-mnist"), data, max(limit, tr_limit), test)
    template["data"]["path"] = data

    # 1. One process against our trainer.
    project = without_dropout(json.loads(json.dumps(template)))
    project["data"]["limit"] = limit
    project["training"]["epochs"] = 1
    proj_path = os.path.join(work, "cnn_nodrop.json")
    json.dump(project, open(proj_path, "w"))
    prog = os.path.join(work, "program")
    run([cli, "export", proj_path, "--format", "pytorch-training", "--out", prog])
    for name in ("model.py", "model.state.pt", "data.py", "train.py", "README.txt", "project.json"):
        if not os.path.isfile(os.path.join(prog, name)):
            fail("the exported folder has no " + name)
    _, ours_s = run([cli, "train", proj_path, "--out", os.path.join(work, "ours"), "--threads", "2"])
    out, py_s = run([PY, os.path.join(prog, "train.py"), "--out", os.path.join(work, "py"), "--threads", "2"])
    ours = step_losses(os.path.join(work, "ours", "metrics.jsonl"))
    py = step_losses(os.path.join(work, "py", "metrics.jsonl"))
    if len(ours) < steps or len(py) < steps:
        fail("too few steps: ours %d, train.py %d" % (len(ours), len(py)))
    if len(ours) != len(py):
        fail("step counts differ: ours %d, train.py %d" % (len(ours), len(py)))
    diffs = [abs(ours[s] - py[s]) for s in range(1, steps + 1)]
    worst = max(diffs)
    print("OK loss curve: largest |loss difference| over the first %d steps: %.3g (step %d; first step %.3g; "
          "ours %.1f s, train.py %.1f s)" % (steps, worst, diffs.index(worst) + 1, diffs[0], ours_s, py_s), flush=True)
    if diffs[0] > 1e-5:
        fail("the first step's loss differs by %g: the initial weights, normalization or first batch differ" % diffs[0])
    if worst > 2e-3:
        fail("the loss curves drift apart: %g" % worst)
    result = json.load(open(os.path.join(work, "py", "result.json")))
    for key in ("status", "message", "epochs_completed", "best_val_accuracy", "test_loss", "test_accuracy",
                "class_names", "confusion"):
        if key not in result:
            fail("result.json has no " + key)
    if "test accuracy: " not in out:
        fail("train.py did not print its test accuracy")
    import torch
    state = torch.load(os.path.join(work, "py", "last.state.pt"))
    ref = torch.load(os.path.join(prog, "model.state.pt"))
    if not isinstance(state, dict) or sorted(state) != sorted(ref):
        fail("last.state.pt is not a dict with model.py's keys")

    # 2. torchrun, 2 processes (the CNN template as it is, Dropout included).
    project = json.loads(json.dumps(template))
    project["data"]["limit"] = tr_limit
    project["training"]["epochs"] = 1
    proj_path = os.path.join(work, "cnn.json")
    json.dump(project, open(proj_path, "w"))
    prog = os.path.join(work, "program2")
    run([cli, "export", proj_path, "--format", "pytorch-training", "--out", prog])
    hashes = os.path.join(work, "hash")
    env = dict(os.environ, OMP_NUM_THREADS="1")
    out, tr_s = run([PY, "-m", "torch.distributed.run", "--redirects", "1", "--tee", "1", "--nproc_per_node=2",
                     "--master_port", str(29500 + os.getpid() % 1000),
                     os.path.join(prog, "train.py"), "--out", os.path.join(work, "tr"), "--threads", "1",
                     "--weights-hash", hashes], env=env)
    h = [open("%s.rank%d" % (hashes, r)).read().strip() for r in (0, 1)]
    if h[0] != h[1]:
        fail("the two ranks end with different weights: %s vs %s" % (h[0][:12], h[1][:12]))
    for name in ("metrics.jsonl", "log.txt", "result.json", "last.state.pt", "best.state.pt", "checkpoint.pt",
                 "project.json"):
        if not os.path.isfile(os.path.join(work, "tr", name)):
            fail("torchrun's output folder has no " + name)
    lines = [json.loads(x) for x in open(os.path.join(work, "tr", "metrics.jsonl"))]
    if not lines or lines[-1]["kind"] != "epoch":
        fail("torchrun's metrics.jsonl does not end with an epoch line")
    state = torch.load(os.path.join(work, "tr", "last.state.pt"))
    digest = hashlib.sha256()
    for k, v in sorted(state.items()):
        digest.update(k.encode())
        digest.update(v.contiguous().numpy().tobytes())
    if digest.hexdigest() != h[0]:
        fail("last.state.pt is not the weights the ranks ended with")
    print("OK torchrun: 2 processes, identical weights (%s), %d steps, %.1f s" % (h[0][:12], lines[-1]["step"], tr_s),
          flush=True)


if __name__ == "__main__":
    main()
