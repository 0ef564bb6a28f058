#!/usr/bin/python3
"""Reference training trajectory of an l2lab `cnn:` model from PyTorch (CPU, float64), with torch's own
conv2d, max_pool2d, avg_pool2d, batch_norm and layer_norm kernels on NCHW tensors.

Usage: /usr/bin/python3 torch_cnn_trajectory.py CASE_DIR

CASE_DIR/manifest.json (binary files little-endian, row-major):
{
  "architecture": {...},        # l2lab's Architecture JSON: widths, activation, loss (softmax_ce), dropout (0s), cnn stem
  "params": [{"name": "W0", "kind": "weight", "shape": [75, 16], "file": "W0.bin"}, ...],
        # float64, in l2lab's order; a conv kernel is [k*k*C, F] (HWIO flattened), the rest as listed
  "x": "x.bin",                 # float32 [n, H*W*C], pixels row-major, channels last
  "y": "y.bin",                 # int32 labels
  "batches": "batches.bin",     # int32 [steps, batch]
  "steps": 100,
  "l2": {"lambda": 1.0, "m": 1000},   # cost = mean CE + lambda/(2m) * sum of squared weights (kind "weight" only)
  "optimizer": {"name": "sgd", "lr": 0.05} or {"name": "adam", "lr": 1e-3}
}
Writes CASE_DIR/torch/: final parameters (float64, same files, l2lab's layout, BatchNorm running
statistics included) and trajectory.json with the data loss and L2 term before each step.
"""
import json, os, sys
import numpy as np
import torch
import torch.nn.functional as F

torch.set_default_dtype(torch.float64)
case = sys.argv[1]
m = json.load(open(os.path.join(case, "manifest.json")))
arch = m["architecture"]
stem = arch["cnn"]
H, W, C = stem["image"]["height"], stem["image"]["width"], stem["image"]["channels"]
load = lambda f, dt: np.fromfile(os.path.join(case, f), dtype=dt)

# Parameters in torch's layout: conv kernels OIHW.
P = {}
conv_kernel = {}
layer = 0
for l in stem["layers"]:
    if l["kind"] == "conv":
        conv_kernel[f"W{layer}"] = l["kernel"]
        layer += 1
for p in m["params"]:
    t = torch.tensor(load(p["file"], np.float64).reshape(p["shape"]))
    if p["name"] in conv_kernel:
        k = conv_kernel[p["name"]]
        t = t.reshape(k, k, -1, p["shape"][1]).permute(3, 2, 0, 1).contiguous()
    P[p["name"]] = t.requires_grad_(p["kind"] != "running")
trainable = [P[p["name"]] for p in m["params"] if p["kind"] != "running"]
weights = [P[p["name"]] for p in m["params"] if p["kind"] == "weight"]
act = {"relu": torch.relu, "tanh": torch.tanh, "sigmoid": torch.sigmoid}[arch["activation"]]


def same_pads(size, k, s):
    out = -(-size // s)
    total = max((out - 1) * s + k - size, 0)
    return total // 2, total - total // 2


def normalize(h, l, norm):
    if norm == "bn":
        return F.batch_norm(h, P[f"mean{l}"], P[f"var{l}"], P[f"gamma{l}"], P[f"beta{l}"], training=True, momentum=0.1, eps=1e-5)
    if norm == "ln":
        z = F.layer_norm(h, h.shape[1:], eps=1e-5)
        shape = (1, -1) + (1,) * (h.dim() - 2)
        return z * P[f"gamma{l}"].reshape(shape) + P[f"beta{l}"].reshape(shape)
    return h


def forward(xb):
    h = xb.reshape(-1, H, W, C).permute(0, 3, 1, 2)
    l = 0
    for spec in stem["layers"]:
        if spec["kind"] == "pool":
            h = (F.max_pool2d if spec["pool"] == "max" else F.avg_pool2d)(h, spec["size"])
            continue
        k, s = spec["kernel"], spec["stride"]
        if spec["padding"] == "same":
            top, bottom = same_pads(h.shape[2], k, s)
            left, right = same_pads(h.shape[3], k, s)
            h = F.pad(h, (left, right, top, bottom))
        h = F.conv2d(h, P[f"W{l}"], P.get(f"b{l}"), stride=s)
        h = act(normalize(h, l, spec["norm"]))
        l += 1
    h = h.permute(0, 2, 3, 1).reshape(h.shape[0], -1)  # l2lab flattens channels last
    hidden = len(arch["widths"]) - 2
    for j in range(hidden + 1):
        h = h @ P[f"W{l}"]
        if f"b{l}" in P:
            h = h + P[f"b{l}"]
        if j < hidden:
            h = act(normalize(h, l, stem["denseNorm"][j]))
        l += 1
    return h


x = torch.tensor(load(m["x"], np.float32).astype(np.float64).reshape(-1, H * W * C))
y = torch.tensor(load(m["y"], np.int32).astype(np.int64))
batches = torch.tensor(load(m["batches"], np.int32).reshape(int(m["steps"]), -1).astype(np.int64))
o = m["optimizer"]
opt = torch.optim.SGD(trainable, lr=o["lr"]) if o["name"] == "sgd" else torch.optim.Adam(trainable, lr=o["lr"], betas=(0.9, 0.999), eps=1e-8)
l2 = m["l2"]
traj = []
for s in range(batches.shape[0]):
    idx = batches[s]
    data = F.cross_entropy(forward(x[idx]), y[idx])
    reg = l2["lambda"] / (2 * l2["m"]) * sum((w ** 2).sum() for w in weights)
    traj.append({"step": s, "data_loss": float(data), "l2_term": float(reg)})
    opt.zero_grad()
    (data + reg).backward()
    opt.step()

outdir = os.path.join(case, "torch")
os.makedirs(outdir, exist_ok=True)
for p in m["params"]:
    t = P[p["name"]].detach()
    if p["name"] in conv_kernel:
        t = t.permute(2, 3, 1, 0)  # OIHW -> HWIO
    t.contiguous().numpy().astype(np.float64).tofile(os.path.join(outdir, p["file"]))
json.dump({"trajectory": traj}, open(os.path.join(outdir, "trajectory.json"), "w"))
print(json.dumps({"steps": len(traj), "first": traj[0], "last": traj[-1]}))
