#!/usr/bin/env python3
"""Writes resources/templates/*.json from the short descriptions below.

Project files list every parameter of every node; this script fills in the defaults from
`neuralcanvas-cli layers --json`, so a template only states what differs from them.
Usage: scripts/make_templates.py path/to/neuralcanvas-cli
"""
import json
import os
import subprocess
import sys

FASHION_DATA = {"kind": "idx", "path": "/usr/share/datasets/fashion-mnist"}
TRAINING = {"epochs": 3, "batch_size": 64, "optimizer": "adam", "learning_rate": 0.001}

# Settings found with lr-find and sweeps (README, "Templates"): each reaches its Fashion-MNIST
# target with `neuralcanvas-cli train resources/templates/X.json` in under 10 minutes on a 2-core
# machine. One thread: these small models train faster on one core than on two (less
# synchronization per batch), and a run is then reproducible bit for bit.
_TUNED = {"optimizer": "adamw", "learning_rate": 0.002, "weight_decay": 0.0001, "schedule": "cosine",
          "warmup_steps": 200, "label_smoothing": 0.1, "threads": 1}
TRAINING_OVERRIDES = {
    "cnn": dict(_TUNED, epochs=10),
    "residual_cnn": dict(_TUNED, epochs=8),
    "lstm": {"epochs": 12, "learning_rate": 0.002, "schedule": "cosine", "warmup_steps": 200, "grad_clip": 1.0,
             "threads": 1},
    # Pre-norm encoders with a warm-up and cosine decay: 0.86 in 3 epochs; the post-norm variant
    # with a constant rate stayed at 0.84.
    "transformer": dict(_TUNED, epochs=8, warmup_steps=300),
}
# Left-right flips of clothing are still clothing: the image templates train on flipped copies too.
DATA_OVERRIDES = {"cnn": {"horizontal_flip": True}, "residual_cnn": {"horizontal_flip": True},
                  "transformer": {"horizontal_flip": True}}

# Character-level language model. Default text: the GPL-3 licence text that every Debian system
# ships; vocab_size and the last Linear leave room for up to 128 distinct characters.
TEXT_TEMPLATES = {
    "char_lstm": ("Character-level LSTM language model", [
        ("text", "Input", {"shape": [64], "dtype": "tokens", "vocab_size": 128}),
        ("embed", "Embedding", {"embedding_dim": 64}),
        ("lstm", "LSTM", {"hidden_size": 256, "output": "sequence"}),
        ("next_char", "Linear", {"out_features": 128}),
        ("logits", "Output", {}),
    ], {"kind": "text", "path": "/usr/share/common-licenses/GPL-3", "sequence_length": 64},
       dict(TRAINING, epochs=30, learning_rate=0.003, grad_clip=1.0)),
}

# The architecture of ../shared/bench/pytorch_fashion_cnn.py, for bench/fashion_cnn_vs_pytorch.sh:
# all 60000 training images (no validation split), 2 threads, as the reference does.
BENCH = ("bench/fashion_cnn_reference.json", "Reference CNN (benchmark)", [
    ("image", "Input", {"shape": [1, 28, 28]}),
    ("conv1", "Conv2d", {"out_channels": 32, "kernel_size": 3, "padding": 1}),
    ("relu1", "ReLU", {}),
    ("pool1", "MaxPool2d", {"kernel_size": 2}),
    ("conv2", "Conv2d", {"out_channels": 64, "kernel_size": 3, "padding": 1}),
    ("relu2", "ReLU", {}),
    ("pool2", "MaxPool2d", {"kernel_size": 2}),
    ("flatten", "Flatten", {}),
    ("fc1", "Linear", {"out_features": 128}),
    ("relu3", "ReLU", {}),
    ("classifier", "Linear", {"out_features": 10}),
    ("logits", "Output", {}),
], dict(FASHION_DATA, validation_fraction=0.0), dict(TRAINING, epochs=1, threads=2))

# Each template is a chain: (name, type, non-default params), optionally with a 4th element listing
# the nodes feeding its input ports by name (default: the node before it).
TEMPLATES = {
    "cnn": ("Fashion-MNIST CNN", [
        ("image", "Input", {"shape": [1, 28, 28]}),
        ("conv1", "Conv2d", {"out_channels": 32, "kernel_size": 3, "padding": 1}),
        ("bn1", "BatchNorm2d", {}),
        ("relu1", "ReLU", {}),
        ("pool1", "MaxPool2d", {"kernel_size": 2}),
        ("conv2", "Conv2d", {"out_channels": 64, "kernel_size": 3, "padding": 1}),
        ("bn2", "BatchNorm2d", {}),
        ("relu2", "ReLU", {}),
        ("pool2", "MaxPool2d", {"kernel_size": 2}),
        ("flatten", "Flatten", {}),
        ("fc1", "Linear", {"out_features": 128}),
        ("relu3", "ReLU", {}),
        ("dropout", "Dropout", {"p": 0.3}),
        ("classifier", "Linear", {"out_features": 10}),
        ("logits", "Output", {}),
    ]),
    "residual_cnn": ("Fashion-MNIST residual CNN", [
        ("image", "Input", {"shape": [1, 28, 28]}),
        ("stem", "Conv2d", {"out_channels": 32, "kernel_size": 3, "padding": 1, "bias": False}),
        ("stem_bn", "BatchNorm2d", {}),
        ("stem_relu", "ReLU", {}),
        ("pool", "MaxPool2d", {"kernel_size": 2}),
        ("res1_conv1", "Conv2d", {"out_channels": 32, "kernel_size": 3, "padding": 1, "bias": False}),
        ("res1_bn1", "BatchNorm2d", {}),
        ("res1_relu1", "ReLU", {}),
        ("res1_conv2", "Conv2d", {"out_channels": 32, "kernel_size": 3, "padding": 1, "bias": False}),
        ("res1_bn2", "BatchNorm2d", {}),
        ("res1_add", "Add", {}, ["res1_bn2", "pool"]),
        ("res1_relu", "ReLU", {}),
        ("down", "Conv2d", {"out_channels": 64, "kernel_size": 3, "padding": 1, "stride": 2, "bias": False}),
        ("down_bn", "BatchNorm2d", {}),
        ("down_relu", "ReLU", {}),
        ("res2_conv1", "Conv2d", {"out_channels": 64, "kernel_size": 3, "padding": 1, "bias": False}),
        ("res2_bn1", "BatchNorm2d", {}),
        ("res2_relu1", "ReLU", {}),
        ("res2_conv2", "Conv2d", {"out_channels": 64, "kernel_size": 3, "padding": 1, "bias": False}),
        ("res2_bn2", "BatchNorm2d", {}),
        ("res2_add", "Add", {}, ["res2_bn2", "down_relu"]),
        ("res2_relu", "ReLU", {}),
        ("flatten", "Flatten", {}),
        ("dropout", "Dropout", {"p": 0.3}),
        ("classifier", "Linear", {"out_features": 10}),
        ("logits", "Output", {}),
    ]),
    "lstm": ("Fashion-MNIST LSTM (rows as time steps)", [
        ("image", "Input", {"shape": [1, 28, 28]}),
        ("rows", "Reshape", {"shape": [28, 28]}),
        ("lstm", "LSTM", {"hidden_size": 128, "num_layers": 1, "output": "last"}),
        ("classifier", "Linear", {"out_features": 10}),
        ("logits", "Output", {}),
    ]),
    "transformer": ("Fashion-MNIST Transformer (convolution stem, 7x7 tokens)", [
        ("image", "Input", {"shape": [1, 28, 28]}),
        ("stem", "Conv2d", {"out_channels": 32, "kernel_size": 3, "stride": 2, "padding": 1, "bias": False}),
        ("stem_bn", "BatchNorm2d", {}),
        ("stem_relu", "ReLU", {}),
        ("patchify", "Conv2d", {"out_channels": 64, "kernel_size": 2, "stride": 2, "padding": 0}),
        ("flatten", "Flatten", {"start_dim": 2}),
        ("tokens", "Permute", {"dims": [0, 2, 1]}),
        ("positions", "PositionalEncoding", {"kind": "learned"}),
        ("encoder1", "TransformerEncoderLayer",
         {"num_heads": 4, "dim_feedforward": 256, "dropout": 0.0, "norm_first": True}),
        ("encoder2", "TransformerEncoderLayer",
         {"num_heads": 4, "dim_feedforward": 256, "dropout": 0.0, "norm_first": True}),
        ("final_norm", "LayerNorm", {}),
        ("pool", "SequencePool", {"mode": "mean"}),
        ("classifier", "Linear", {"out_features": 10}),
        ("logits", "Output", {}),
    ]),
}


def project(schema, title, chain, data, training):
    nodes, edges = [], []
    ids = {}
    for i, (name, layer, overrides, *sources) in enumerate(chain):
        ids[name] = i + 1
        params = {p["name"]: p["default"] for p in schema[layer]["params"]}
        for k, v in overrides.items():
            if k not in params:
                sys.exit(f"{title}: {layer} has no parameter {k}")
            params[k] = v
        nodes.append({"id": i + 1, "type": layer, "name": name,
                      "position": [float(40 + 200 * i), 120.0 if i % 2 else 40.0], "params": params})
        inputs = [ids[n] for n in sources[0]] if sources else ([i] if i else [])
        for port, source in enumerate(inputs):
            edges.append({"from": {"node": source, "port": 0}, "to": {"node": i + 1, "port": port}})
    return {"format": "neuralcanvas-project", "version": 1, "name": title,
            "graph": {"nodes": nodes, "edges": edges}, "data": data, "training": training}


def write(path, obj):
    with open(path, "w") as f:
        json.dump(obj, f, indent=2, sort_keys=True)
        f.write("\n")


def main():
    cli = sys.argv[1]
    schema = {t["name"]: t for t in json.loads(subprocess.check_output([cli, "layers", "--json"]))}
    root = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
    for key, (title, chain) in TEMPLATES.items():
        write(os.path.join(root, "resources", "templates", key + ".json"),
              project(schema, title, chain, dict(FASHION_DATA, **DATA_OVERRIDES.get(key, {})),
                      dict(TRAINING, **TRAINING_OVERRIDES.get(key, {}))))
    for key, (title, chain, data, training) in TEXT_TEMPLATES.items():
        write(os.path.join(root, "resources", "templates", key + ".json"), project(schema, title, chain, data, training))
    # Lay the templates out as the editor's Auto-layout would (long chains wrap into bands).
    for key in list(TEMPLATES) + list(TEXT_TEMPLATES):
        subprocess.check_call([cli, "layout", os.path.join(root, "resources", "templates", key + ".json"),
                               "--direction", "top-down"],
                              stdout=subprocess.DEVNULL)
    path, title, chain, data, training = BENCH
    write(os.path.join(root, path), project(schema, title, chain, data, training))


if __name__ == "__main__":
    main()
