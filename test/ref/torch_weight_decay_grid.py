#!/usr/bin/python3
"""A PyTorch grid over weight_decay with examples/pytorch_weight_decay.py's own train_one (same data, model,
optimizer), over several seeds: the test loss of every (value, seed), for judging a tuned λ against the grid
and its seed-to-seed noise.

Usage: /usr/bin/python3 torch_weight_decay_grid.py --values 1e-4,1e-3 --seeds 0,1,2 --epochs 4
Prints one JSON object: {"values": [...], "seeds": [...], "test_loss": [[loss per seed] per value]}.
"""
import argparse
import json
import os
import sys

import torch

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "examples"))
from pytorch_weight_decay import load_data, train_one  # noqa: E402

p = argparse.ArgumentParser()
p.add_argument("--values", required=True)
p.add_argument("--seeds", default="0,1,2")
p.add_argument("--epochs", type=int, required=True)
a = p.parse_args()
torch.set_num_threads(1)
values = [float(v) for v in a.values.split(",")]
seeds = [int(s) for s in a.seeds.split(",")]
data = load_data()
never = lambda *_: False  # noqa: E731 (the grid trains every value to the end)
losses = [[train_one(v, a.epochs, never, data, seed)["test_loss"] for seed in seeds] for v in values]
print(json.dumps({"values": values, "seeds": seeds, "test_loss": losses}))
