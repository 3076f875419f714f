#!/usr/bin/env python3
"""Runs an exported ONNX image classifier in OpenCV's DNN module on IDX test images and compares its
predictions with NeuralCanvas's own (the output of `neuralcanvas-cli predict MODEL.pt IMAGES.gz
--limit N --top 1`, saved to a file).

Usage: onnx_fashion_agreement.py MODEL.onnx IMAGES-idx3-ubyte.gz LABELS-idx1-ubyte.gz PREDICT_OUTPUT

Prints how many top-1 predictions agree, both accuracies against the labels, and the largest
difference of the top-1 probability.
"""
import gzip
import json
import re
import sys

import cv2
import numpy as np
import onnx


def read_idx(path):
    with gzip.open(path, "rb") as f:
        data = f.read()
    dims = data[3]
    shape = [int.from_bytes(data[4 + 4 * i:8 + 4 * i], "big") for i in range(dims)]
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * dims).reshape(shape)


def main():
    model_path, images_path, labels_path, predict_path = sys.argv[1:5]
    props = {p.key: p.value for p in onnx.load(model_path).metadata_props}
    names = json.loads(props["class_names"])
    shape = json.loads(props["input_shape"])
    ours = []  # (index, class name, probability)
    line_re = re.compile(r"\[(\d+)\]:\s+(.*) ([0-9.]+)\s*$")
    with open(predict_path, encoding="utf-8") as f:
        for line in f:
            m = line_re.search(line)
            if m:
                ours.append((int(m.group(1)), m.group(2), float(m.group(3))))
    n = len(ours)
    if n == 0:
        print("no predictions in %s" % predict_path)
        return 1
    images = read_idx(images_path)[:n].astype(np.float32) / 255.0
    labels = read_idx(labels_path)[:n]
    cv2.setNumThreads(1)
    net = cv2.dnn.readNetFromONNX(model_path)
    logits = []
    for start in range(0, n, 100):
        batch = images[start:start + 100].reshape([-1] + shape)
        net.setInput(batch)
        logits.append(net.forward().copy())
    logits = np.concatenate(logits)
    probs = np.exp(logits - logits.max(axis=1, keepdims=True))
    probs /= probs.sum(axis=1, keepdims=True)
    top = probs.argmax(axis=1)
    agree = sum(1 for (i, name, _), t in zip(ours, top) if names[t] == name)
    ours_correct = sum(1 for (i, name, _) in ours if name == names[labels[i]])
    cv_correct = int((top == labels).sum())
    prob_diff = max(abs(p - probs[i, top[i]]) for i, (_, _, p) in enumerate(ours))
    print("images: %d" % n)
    print("top-1 agreement NeuralCanvas vs OpenCV DNN: %d / %d" % (agree, n))
    print("accuracy NeuralCanvas: %.4f  OpenCV DNN: %.4f" % (ours_correct / n, cv_correct / n))
    print("largest top-1 probability difference: %.2g (predict prints 3 decimals)" % prob_diff)
    return 0 if agree == n else 1


if __name__ == "__main__":
    sys.exit(main())
