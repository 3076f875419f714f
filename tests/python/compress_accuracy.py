"""Accuracy of every archive of a compression report, measured in plain PyTorch.

usage: compress_accuracy.py REPORT.json IDX_FOLDER BATCH_SIZE
Reads the IDX test split (t10k-images/labels, raw or .gz), runs each variant's archive (torch.jit.load) on
it in batches of BATCH_SIZE (images as float in [0, 1], as NeuralCanvas feeds them) and prints
"<variant> <accuracy>" per line. Dynamic int8 archives run on the oneDNN engine, as in the app.
"""
import gzip
import json
import os
import struct
import sys

import torch


def read_idx(path):
    if not os.path.exists(path) and os.path.exists(path + ".gz"):
        with gzip.open(path + ".gz", "rb") as f:
            data = f.read()
    else:
        with open(path, "rb") as f:
            data = f.read()
    magic, count = struct.unpack(">II", data[:8])
    dims = magic & 0xFF
    shape = [count] + [struct.unpack(">I", data[8 + 4 * i:12 + 4 * i])[0] for i in range(dims - 1)]
    body = data[4 + 4 * dims:]
    return torch.frombuffer(bytearray(body), dtype=torch.uint8).reshape(shape)


def main():
    report_path, folder, batch = sys.argv[1], sys.argv[2], int(sys.argv[3])
    torch.set_num_threads(1)
    if "onednn" in torch.backends.quantized.supported_engines:
        torch.backends.quantized.engine = "onednn"
    images = read_idx(os.path.join(folder, "t10k-images-idx3-ubyte"))
    labels = read_idx(os.path.join(folder, "t10k-labels-idx1-ubyte")).long()
    inputs = images.unsqueeze(1).float() / 255.0
    with open(report_path) as f:
        report = json.load(f)
    base = os.path.dirname(report_path)
    for variant in report["variants"]:
        model = torch.jit.load(os.path.join(base, variant["archive"]))
        model.eval()
        correct = 0
        with torch.no_grad():
            for start in range(0, len(labels), batch):
                logits = model(inputs[start:start + batch])
                correct += int((logits.argmax(-1) == labels[start:start + batch]).sum())
        print(variant["name"], "%.9f" % (correct / len(labels)))


if __name__ == "__main__":
    main()
