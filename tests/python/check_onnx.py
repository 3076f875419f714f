#!/usr/bin/env python3
"""Checks NeuralCanvas ONNX exports with onnx and runs them in OpenCV's DNN module (not PyTorch).

Usage: check_onnx.py LIST.json   where LIST.json is a list of models:
  {"label", "onnx", "opset", "input_shape", "input_dtype", "class_names" (list, or null: not checked),
   "runs": [{"input", "input_shape", "expected", "output_shape"}, ...]}
Inputs are raw little-endian float32 (int64 for token models), expected outputs raw float32, as the
C++ test wrote them from the in-app model (eval mode, same weights).

Per model: onnx.checker (full check) passes, the default-domain opset is the one asked for, the
metadata_props hold the class names, input shape and dtype, and the input and output batch
dimensions are symbolic. Then OpenCV (cv2.dnn.readNetFromONNX) runs every input; its outputs
must match to 1e-4 (rtol and atol). One line per model:
  OK label                          everything passed, OpenCV too
  NO_OPENCV label: why              ONNX checks passed; OpenCV cannot load or run the model
  OPENCV_DIFFERS label: why         ONNX checks passed; OpenCV runs it but computes other values
  FAIL label: why                   an ONNX check failed
and at the end "checked N models". Exit 1 when any FAIL.
"""
import json
import sys

import numpy as np
import onnx

try:
    import cv2
except ImportError:
    cv2 = None


def first_line(e):
    lines = str(e).strip().splitlines()
    text = " ".join(l.strip() for l in lines if l.strip())
    return text[:300] if text else type(e).__name__


def onnx_problems(entry, model):
    problems = []
    try:
        onnx.checker.check_model(model, full_check=True)
    except Exception as e:
        problems.append("onnx.checker: " + first_line(e))
    opsets = {o.domain: o.version for o in model.opset_import}
    if opsets.get("", opsets.get("ai.onnx")) != entry["opset"]:
        problems.append("opset %s, expected %d" % (opsets, entry["opset"]))
    props = {p.key: p.value for p in model.metadata_props}
    try:
        if json.loads(props["input_shape"]) != entry["input_shape"]:
            problems.append("metadata input_shape %s != %s" % (props["input_shape"], entry["input_shape"]))
        if props["input_dtype"] != entry["input_dtype"]:
            problems.append("metadata input_dtype %s != %s" % (props["input_dtype"], entry["input_dtype"]))
        names = json.loads(props["class_names"])
        if not isinstance(names, list):
            problems.append("metadata class_names is not a list")
        elif entry["class_names"] is not None and names != entry["class_names"]:
            problems.append("metadata class_names %s != %s" % (names, entry["class_names"]))
    except KeyError as e:
        problems.append("metadata lacks %s (has %s)" % (e, sorted(props)))
    for kind, values in (("input", model.graph.input), ("output", model.graph.output)):
        dims = values[0].type.tensor_type.shape.dim
        if not dims or not dims[0].dim_param or dims[0].dim_value:
            problems.append("the %s's batch dimension is not dynamic" % kind)
    return problems


def read_raw(path, dtype, shape):
    return np.fromfile(path, dtype=dtype).reshape(shape)


def opencv_outcome(entry):
    """(status, text): status OK, NO_OPENCV or OPENCV_DIFFERS."""
    if cv2 is None:
        return "NO_OPENCV", "cv2 is not installed (python3-opencv)"
    try:
        net = cv2.dnn.readNetFromONNX(entry["onnx"])
    except Exception as e:
        return "NO_OPENCV", "readNetFromONNX: " + first_line(e)
    diffs = []
    for run in entry["runs"]:
        dtype = np.int64 if entry["input_dtype"] == "int64" else np.float32
        x = read_raw(run["input"], dtype, run["input_shape"])
        expected = read_raw(run["expected"], np.float32, run["output_shape"])
        try:
            net.setInput(x)
            actual = net.forward()
        except Exception as e:
            return "NO_OPENCV", "batch %d: forward: %s" % (x.shape[0], first_line(e))
        if tuple(actual.shape) != tuple(expected.shape):
            if actual.size != expected.size:
                return "OPENCV_DIFFERS", "batch %d: output shape %s, expected %s" % (
                    x.shape[0], tuple(actual.shape), tuple(expected.shape))
            actual = actual.reshape(expected.shape)
        diff = float(np.abs(actual.astype(np.float64) - expected).max()) if expected.size else 0.0
        diffs.append(diff)
        if not np.allclose(actual, expected, rtol=1e-4, atol=1e-4):
            return "OPENCV_DIFFERS", "batch %d: max abs diff %.3g" % (x.shape[0], diff)
    return "OK", "max abs diff %.2g" % max(diffs, default=0.0)


def main():
    cv2_threads = getattr(cv2, "setNumThreads", None)
    if cv2_threads:
        cv2_threads(1)
    with open(sys.argv[1], encoding="utf-8") as f:
        entries = json.load(f)
    failures = 0
    for entry in entries:
        try:
            model = onnx.load(entry["onnx"])
            problems = onnx_problems(entry, model)
        except Exception as e:
            problems = ["cannot load: " + first_line(e)]
        if problems:
            failures += 1
            print("FAIL %s: %s" % (entry["label"], "; ".join(problems)), flush=True)
            continue
        status, text = opencv_outcome(entry)
        print("%s %s: %s" % (status, entry["label"], text), flush=True)
    print("checked %d models" % len(entries))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
