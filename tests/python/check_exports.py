#!/usr/bin/env python3
"""Loads NeuralCanvas TorchScript archives in plain PyTorch and compares their outputs.

Usage: check_exports.py LIST   where each line of LIST is "ARCHIVE IO_FILE"; IO_FILE holds
(input, expected_output) written by C++ torch::pickle_save. Exit 1 on any mismatch.
"""
import sys

import torch


def main():
    failures = 0
    lines = [l.split() for l in open(sys.argv[1]) if l.strip()]
    for archive, io_file in lines:
        x, expected = torch.load(io_file)
        model = torch.jit.load(archive)
        model.eval()
        with torch.no_grad():
            actual = model(x)
        if actual.shape != expected.shape or not torch.allclose(actual, expected, atol=1e-5, rtol=1e-5):
            diff = (actual - expected).abs().max().item() if actual.shape == expected.shape else "shape"
            print(f"MISMATCH {archive}: {diff}")
            failures += 1
    if failures:
        print(f"{failures} of {len(lines)} archives differ")
        return 1
    print(f"all {len(lines)} archives match")
    return 0


if __name__ == "__main__":
    sys.exit(main())
