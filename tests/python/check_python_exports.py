#!/usr/bin/env python3
"""Imports NeuralCanvas PyTorch-source exports in plain PyTorch and compares their outputs.

Usage: check_python_exports.py LIST   where each line of LIST is "SOURCE.py IO_FILE"; IO_FILE holds
(input, expected_output, input, expected_output, ...) written by C++ torch::pickle_save. Each
source is imported as a module, its load() reads the state dict beside it (strict), and in eval()
mode every input must give the expected output to 1e-5. Then, for models with parameters, two
seeded backward passes in train() mode (on the largest batch) must reach every parameter with
identical gradients. Exit 1 on any failure.
"""
import importlib.util
import sys

import torch


def load_module(path, index):
    spec = importlib.util.spec_from_file_location(f"nc_export_{index}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def check(source, io_file, index):
    model = load_module(source, index).load()
    tensors = torch.load(io_file)
    problems = []
    with torch.no_grad():
        for x, expected in zip(tensors[0::2], tensors[1::2]):
            actual = model(x)
            if actual.shape != expected.shape:
                problems.append(f"shape {tuple(actual.shape)} != {tuple(expected.shape)}")
            elif not torch.allclose(actual, expected, atol=1e-5, rtol=1e-5):
                problems.append(f"batch {x.shape[0]}: max diff {(actual - expected).abs().max().item():.3g}")
    params = [(n, p) for n, p in model.named_parameters() if p.requires_grad]
    if params:
        model.train()
        largest = max(tensors[0::2], key=lambda t: t.shape[0])
        grads = []
        for _ in range(2):  # two identical seeded backward passes must give identical gradients
            model.zero_grad(set_to_none=True)
            torch.manual_seed(0)
            model(largest).float().square().mean().backward()
            grads.append([None if p.grad is None else p.grad.clone() for _, p in params])
        missing = [n for (n, _), g in zip(params, grads[0]) if g is None]
        if missing:
            problems.append("no gradient for " + ", ".join(missing))
        differing = [n for (n, _), a, b in zip(params, *grads)
                     if a is not None and b is not None and not torch.equal(a, b)]
        if differing:
            problems.append("repeated backward passes differ for " + ", ".join(differing))
    return problems


def main():
    lines = [l.split() for l in open(sys.argv[1]) if l.strip()]
    failures = 0
    for index, (source, io_file) in enumerate(lines):
        try:
            problems = check(source, io_file, index)
        except Exception as e:  # an import or load_state_dict error is a failure of that export
            problems = [f"{type(e).__name__}: {e}"]
        if problems:
            failures += 1
            print(f"MISMATCH {source}: " + "; ".join(problems))
    if failures:
        print(f"{failures} of {len(lines)} python exports differ")
        return 1
    print(f"all {len(lines)} python exports match")
    return 0


if __name__ == "__main__":
    sys.exit(main())
