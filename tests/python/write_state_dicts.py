#!/usr/bin/env python3
"""Writes state dicts the way a PyTorch user (or train.py) does, for ImportRunTest.

Usage: write_state_dicts.py LIST   where each line of LIST is a BASE path: BASE.py is a NeuralCanvas
PyTorch-source export (its weights beside it), BASE.x.pt an input batch written by C++
torch::pickle_save. For each, the model is loaded, every parameter and floating buffer perturbed
(seeded), and written with torch.save as BASE.dict.pt (a plain dict, as train.py saves it) and
BASE.ordered.pt (model.state_dict() itself, an OrderedDict); BASE.io.pt gets [x, model(x)] in
eval mode.
"""
import importlib.util
import sys

import torch


def main():
    torch.set_num_threads(1)
    bases = [l.strip() for l in open(sys.argv[1]) if l.strip()]
    for index, base in enumerate(bases):
        spec = importlib.util.spec_from_file_location(f"nc_state_{index}", base + ".py")
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        model = module.load()
        torch.manual_seed(100 + index)
        with torch.no_grad():
            for name, t in model.state_dict().items():
                if not t.is_floating_point():
                    continue
                if name.endswith("running_var") or name.endswith("input_std"):
                    t.mul_(torch.rand_like(t) + 0.5)
                else:
                    t.add_(torch.randn_like(t) * 0.05)
        model.eval()
        x = torch.load(base + ".x.pt")
        with torch.no_grad():
            y = model(x)
        torch.save(dict(model.state_dict()), base + ".dict.pt")
        torch.save(model.state_dict(), base + ".ordered.pt")
        torch.save([x, y], base + ".io.pt")
    print(f"wrote {len(bases)} state dicts")


if __name__ == "__main__":
    main()
