"""End to end: a training program's output folder comes back with import-run and evaluates alike.

usage: import_run_check.py CLI OUT_DIR PROJECT [RUNS_DIR]

OUT_DIR is train.py's --out folder (e.g. from torchrun, see training_program_check.py), PROJECT the
project file it was exported from. Runs `CLI import-run OUT_DIR PROJECT --runs RUNS_DIR`, then
`CLI eval PROJECT --checkpoint RUN/checkpoints/last.pt`, and checks that the evaluated accuracy is
the test_accuracy train.py wrote in result.json (the same number of correct samples), that the run
folder has what the GUI and eval read, and that its metrics are train.py's.
Prints "OK ..." lines; exits non-zero with a message on any failure.
"""
import json
import os
import re
import subprocess
import sys
import time


def fail(msg):
    print("FAIL: " + msg, flush=True)
    sys.exit(1)


def run(cmd):
    t0 = time.time()
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    if p.returncode != 0:
        fail("%s exited with %d:\n%s" % (" ".join(cmd), p.returncode, p.stdout[-4000:]))
    return p.stdout, time.time() - t0


def main():
    if len(sys.argv) < 4:
        fail(__doc__)
    cli, out_dir, project = sys.argv[1:4]
    runs = sys.argv[4] if len(sys.argv) > 4 else os.path.join(out_dir + "_runs")
    out, import_s = run([cli, "import-run", out_dir, project, "--runs", runs])
    m = re.search(r"run folder: (.*)", out)
    if not m:
        fail("import-run printed no run folder:\n" + out)
    run_dir = m.group(1).strip()
    if "warning:" in out:
        fail("import-run warned about train.py's own output:\n" + out)
    for name in ("project.json", "metrics.jsonl", "metrics.csv", "log.txt", "result.json", "checkpoints/last.pt",
                 "checkpoints/last.pt.sha256", "checkpoints/best.pt", "checkpoints/best.pt.sha256"):
        if not os.path.isfile(os.path.join(run_dir, name)):
            fail("the imported run has no " + name)
    def lines(path):
        return [json.loads(x) for x in open(path) if x.strip()]
    if lines(os.path.join(run_dir, "metrics.jsonl")) != lines(os.path.join(out_dir, "metrics.jsonl")):
        fail("the imported metrics.jsonl differs from train.py's")
    result = json.load(open(os.path.join(out_dir, "result.json")))
    expected = result["test_accuracy"]
    if expected is None:
        fail("train.py's result.json has no test_accuracy")
    out, eval_s = run([cli, "eval", project, "--checkpoint", os.path.join(run_dir, "checkpoints", "last.pt")])
    m = re.search(r"(\w+) accuracy: ([0-9.]+)\s+\((\d+) samples\)", out)
    if not m:
        fail("eval printed no accuracy:\n" + out)
    accuracy, samples = float(m.group(2)), int(m.group(3))
    # eval prints 4 decimals: compare the numbers of correct samples (exact for up to 10,000 samples).
    ours, theirs = round(accuracy * samples), round(expected * samples)
    if ours != theirs or abs(accuracy - expected) > 5.1e-5:
        fail("eval of the imported run: %s accuracy %.4f (%d of %d), train.py's test_accuracy %.6f (%d)"
             % (m.group(1), accuracy, ours, samples, expected, theirs))
    print("OK import-run: %s; eval %s accuracy %.4f = train.py's %.6f (%d of %d samples); import %.1f s, eval %.1f s"
          % (os.path.basename(run_dir), m.group(1), accuracy, expected, ours, samples, import_s, eval_s), flush=True)


if __name__ == "__main__":
    main()
