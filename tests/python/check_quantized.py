#!/usr/bin/env python3
"""Runs NeuralCanvas dynamic-int8 TorchScript archives in plain PyTorch.

Usage: check_quantized.py LIST   where each line of LIST is "ARCHIVE IO_FILE"; IO_FILE holds
(input, output of the archive in C++, output of the float model) written by C++
torch::pickle_save. Each archive must load with torch.jit.load, run on the default quantized
engine (oneDNN on x86 Linux), and give the C++ output (same kernels: 1e-4) and stay close to the
float model. Exit 1 on any mismatch.
"""
import sys

import torch


def main():
    torch.set_num_threads(2)
    engine = torch.backends.quantized.engine
    failures = 0
    lines = [l.split() for l in open(sys.argv[1]) if l.strip()]
    for archive, io_file in lines:
        x, expected_int8, expected_float = torch.load(io_file)
        try:
            model = torch.jit.load(archive)
            model.eval()
            with torch.no_grad():
                actual = model(x)
        except Exception as e:  # report every archive, not only the first failure
            print(f"FAILED {archive}: {type(e).__name__}: {str(e)[:300]}")
            failures += 1
            continue
        if actual.shape != expected_int8.shape:
            print(f"MISMATCH {archive}: shape {tuple(actual.shape)} != {tuple(expected_int8.shape)}")
            failures += 1
            continue
        diff_cpp = (actual - expected_int8).abs().max().item()
        diff_float = (actual - expected_float).abs().max().item() / (1.0 + expected_float.abs().max().item())
        if not torch.allclose(actual, expected_int8, atol=1e-4, rtol=1e-4) or diff_float > 0.06:
            print(f"MISMATCH {archive}: vs C++ {diff_cpp:.3g}, vs float (relative) {diff_float:.3g}")
            failures += 1
    if failures:
        print(f"{failures} of {len(lines)} quantized archives differ (engine {engine})")
        return 1
    print(f"all {len(lines)} quantized archives match (engine {engine})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
