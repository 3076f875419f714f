"""More settings of the exported training program against our trainer (by hand; not in CI):
character-level text (SGD with Nesterov, cosine schedule with warm-up, label smoothing, gradient
clipping), CSV features (AdamW, weight decay, step schedule) and images with augmentation (random
crop and flip, RMSprop, MSE loss), plus gradient accumulation and bfloat16 on the CPU (run only:
our trainer may differ there), and --resume.

usage: training_program_variants.py CLI SOURCE_DIR WORK_DIR
"""
import json
import os
import random
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import training_program_check as check  # noqa: E402

PY = check.PY


def node(i, type_, name, params=None):
    return {"id": i, "type": type_, "name": name, "params": params or {}, "position": [0.0, 100.0 * i]}


def chain(nodes):
    edges = [{"from": {"node": a["id"], "port": 0}, "to": {"node": b["id"], "port": 0}} for a, b in zip(nodes, nodes[1:])]
    return {"nodes": nodes, "edges": edges}


def compare(cli, work, name, project, threads="1", compare_losses=True, extra=(), tolerance=2e-3):
    d = os.path.join(work, name)
    os.makedirs(d, exist_ok=True)
    path = os.path.join(d, "project.json")
    json.dump(project, open(path, "w"))
    check.run([cli, "export", path, "--format", "pytorch-training", "--out", os.path.join(d, "program")])
    out, py_s = check.run([PY, os.path.join(d, "program", "train.py"), "--out", os.path.join(d, "py"),
                           "--threads", threads] + list(extra))
    py = check.step_losses(os.path.join(d, "py", "metrics.jsonl"))
    if not compare_losses:
        print("OK %s: train.py ran %d steps (%.1f s): %s" % (name, len(py), py_s, out.strip().splitlines()[-1]))
        return d
    _, ours_s = check.run([cli, "train", path, "--out", os.path.join(d, "ours"), "--threads", threads])
    ours = check.step_losses(os.path.join(d, "ours", "metrics.jsonl"))
    if sorted(ours) != sorted(py):
        check.fail("%s: steps differ: ours %d, train.py %d" % (name, len(ours), len(py)))
    diffs = [abs(ours[s] - py[s]) for s in sorted(ours)]
    print("OK %s: %d steps, largest |loss difference| %.3g, first %.3g" % (name, len(diffs), max(diffs), diffs[0]))
    if max(diffs) > tolerance or (tolerance <= 2e-3 and diffs[0] > 1e-5):
        check.fail(name + ": the loss curves differ")
    return d


def main():
    cli, source, work = sys.argv[1:4]
    os.makedirs(work, exist_ok=True)
    # Text: the char LSTM template, a slice of the GPL.
    p = json.load(open(os.path.join(source, "resources/templates/char_lstm.json")))
    p["data"]["limit"] = 400
    p["training"].update({"epochs": 2, "optimizer": "sgd", "nesterov": True, "learning_rate": 0.5,
                          "schedule": "cosine", "warmup_steps": 3, "label_smoothing": 0.1, "grad_clip": 1.0})
    if "--skip-text" not in sys.argv:
        compare(cli, work, "text", p)

    # CSV: 300 rows, 5 features, text labels, a header.
    rng = random.Random(3)
    csv = os.path.join(work, "table.csv")
    with open(csv, "w") as f:
        f.write("a,b,kind,c,d,e\n")
        for _ in range(300):
            v = [rng.gauss(0, 1) * 10 + 100 for _ in range(5)]
            f.write("%g,%g,%s,%g,%g,%g\n" % (v[0], v[1], rng.choice(["x", "y", "zed"]), v[2], v[3], v[4]))
    p = json.load(open(os.path.join(source, "resources/templates/cnn.json")))
    p["data"] = {"kind": "csv", "path": csv, "label_column": "kind", "validation_fraction": 0.2, "seed": 5}
    p["graph"] = chain([node(1, "Input", "x", {"dtype": "float", "shape": [5], "vocab_size": 256}),
                        node(2, "Linear", "fc1", {"out_features": 16, "bias": True}), node(3, "ReLU", "relu"),
                        node(4, "Linear", "fc2", {"out_features": 3, "bias": True}), node(5, "Output", "out")])
    p["training"].update({"epochs": 3, "batch_size": 16, "optimizer": "adamw", "weight_decay": 0.01,
                          "schedule": "step", "step_size": 1, "gamma": 0.5})
    compare(cli, work, "csv", p)

    # Images with augmentation, RMSprop, MSE (CNN template without dropout, a small slice).
    data = os.path.join(work, "fashion-slice")
    check.idx_slice("/usr/share/datasets/fashion-mnist", data, 640, 200)
    p = check.without_dropout(json.load(open(os.path.join(source, "resources/templates/cnn.json"))))
    p["data"].update({"path": data, "crop_padding": 2, "horizontal_flip": True})
    p["training"].update({"epochs": 1, "optimizer": "rmsprop", "learning_rate": 1e-4, "loss": "mse"})
    compare(cli, work, "augmented", p)

    # Gradient accumulation (float32): the same steps as the trainer's.
    p["training"].update({"accumulate_steps": 3, "epochs": 1})
    compare(cli, work, "accumulate", p)
    # bfloat16 autocast on the CPU: LibTorch's and PyTorch's autocast agree op for op, but bf16
    # rounding makes the curves drift; compared loosely.
    p["training"].update({"accumulate_steps": 2, "precision": "bfloat16", "epochs": 2})
    d = compare(cli, work, "accumulate-bf16", p, tolerance=0.05)
    # Resume: one more epoch from the checkpoint.
    out, _ = check.run([PY, os.path.join(d, "program", "train.py"), "--out", os.path.join(d, "py"), "--resume",
                        "--epochs", "3", "--threads", "1"])
    lines = [json.loads(x) for x in open(os.path.join(d, "py", "metrics.jsonl"))]
    epochs = [x["epoch"] for x in lines if x["kind"] == "epoch"]
    if epochs != [1, 2, 3]:
        check.fail("resume: epoch lines %s" % epochs)
    print("OK resume: epochs %s" % epochs)


if __name__ == "__main__":
    main()
