#!/usr/bin/env python3
"""Evaluates an exported NeuralCanvas model on the real Fashion-MNIST test set in plain PyTorch.

Usage: eval_fashion.py MODEL.pt|MODEL.py   Prints "accuracy X". A TorchScript archive is loaded with
torch.jit.load; PyTorch source is imported and its load() reads the state dict beside it. Both
normalize their input themselves, so the images go in as float in [0, 1], as the dataset yields them.
"""
import gzip
import importlib.util
import struct
import sys

import numpy as np
import torch

D = "/usr/share/datasets/fashion-mnist"


def idx(path):
    with gzip.open(path, "rb") as f:
        data = f.read()
    magic, n = struct.unpack(">II", data[:8])
    if magic == 2051:
        r, c = struct.unpack(">II", data[8:16])
        return np.frombuffer(data, np.uint8, offset=16).reshape(n, 1, r, c)
    return np.frombuffer(data, np.uint8, offset=8)


def load(path):
    if path.endswith(".py"):
        spec = importlib.util.spec_from_file_location("exported_model", path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        return module.load()
    return torch.jit.load(path)


def main():
    model = load(sys.argv[1])
    model.eval()
    x = torch.from_numpy(idx(f"{D}/t10k-images-idx3-ubyte.gz").astype(np.float32) / 255.0)
    y = torch.from_numpy(idx(f"{D}/t10k-labels-idx1-ubyte.gz").astype(np.int64))
    correct = 0
    with torch.no_grad():
        for i in range(0, len(x), 128):  # the app's eval batch size; 1,000 is ~10x slower on CPU
            correct += (model(x[i:i + 128]).argmax(1) == y[i:i + 128]).sum().item()
    print(f"accuracy {correct / len(x):.6f}")


if __name__ == "__main__":
    main()
