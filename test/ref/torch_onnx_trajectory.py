#!/usr/bin/python3
"""PyTorch networks exported to ONNX for l2lab to import, and their own float64 training trajectory.

Usage:
  /usr/bin/python3 torch_onnx_trajectory.py export CASE_DIR   # writes CASE_DIR/net.onnx
  /usr/bin/python3 torch_onnx_trajectory.py train CASE_DIR    # trains from the weights l2lab read from net.onnx

CASE_DIR/manifest.json (binary files little-endian, row-major):
{
  "net": "mlp" | "cnn",          # mlp: d -> 16 -> 8 -> classes; cnn: conv3x3(pad 1) -> BatchNorm2d -> relu -> maxpool 2
                                  #      -> conv3x3 (valid) -> relu -> x.view(x.size(0), -1) -> linear
  "form": "gemm" | "matmul",      # linear layers as nn.Linear (ONNX Gemm) or as x @ W.t() + b (Transpose + MatMul + Add)
  "activation": "relu" | "gelu" | "tanh",
  "log_softmax": false,           # end in log_softmax (the loss is then NLL of it: the same cross-entropy)
  "d": 10, "classes": 3, "image": [C, H, W] or null,
  "seed": 0,
  # train only:
  "params": [{"name": "fc1.weight", "shape": [16, 10], "file": "p0.bin"}, ...],   # float64, as l2lab read them from net.onnx
  "x": "x.bin", "y": "y.bin", "batches": "batches.bin", "steps": 100,           # float32 [n, d] (channels last), int32, int32 [steps, B]
  "l2": {"lambda": 1.0, "m": 1000},       # cost = mean CE + lambda/(2m) * sum of squares of the weights (rank >= 2)
  "decay_to_init": false,                 # L2-SP: the squares of (w - w0), w0 the starting weights
  "optimizer": {"name": "sgd" | "adam", "lr": 0.05}
}
export: a training-mode export (training=TrainingMode.TRAINING, do_constant_folding=False), so BatchNorm
keeps its scale, shift and running statistics; opset 14; dynamic batch axis.
train: writes CASE_DIR/torch/ with each parameter's and running statistic's final value (float64, the
listed files) and trajectory.json with the data loss and L2 term before each step.
"""
import json, os, sys
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

mode, case = sys.argv[1], sys.argv[2]
m = json.load(open(os.path.join(case, "manifest.json")))
load = lambda f, dt: np.fromfile(os.path.join(case, f), dtype=dt)


class MatMulLinear(nn.Module):
    """nn.Linear's parameters, written as x @ W.t() + b: exported as Transpose + MatMul + Add."""

    def __init__(self, fan_in, fan_out):
        super().__init__()
        ref = nn.Linear(fan_in, fan_out)
        self.weight = nn.Parameter(ref.weight.detach().clone())
        self.bias = nn.Parameter(ref.bias.detach().clone())

    def forward(self, x):
        return x @ self.weight.t() + self.bias


def linear(fan_in, fan_out):
    return nn.Linear(fan_in, fan_out) if m["form"] == "gemm" else MatMulLinear(fan_in, fan_out)


act = {"relu": torch.relu, "gelu": F.gelu, "tanh": torch.tanh}[m["activation"]]


class Mlp(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1, self.fc2, self.fc3 = linear(m["d"], 16), linear(16, 8), linear(8, m["classes"])

    def forward(self, x):
        z = self.fc3(act(self.fc2(act(self.fc1(x)))))
        return torch.log_softmax(z, 1) if m["log_softmax"] else z


class Cnn(nn.Module):
    def __init__(self):
        super().__init__()
        c, h, w = m["image"]
        self.conv1, self.bn1 = nn.Conv2d(c, 4, 3, padding=1), nn.BatchNorm2d(4)
        self.conv2 = nn.Conv2d(4, 6, 3)
        self.fc = linear(6 * (h // 2 - 2) * (w // 2 - 2), m["classes"])

    def forward(self, x):
        h = F.max_pool2d(torch.relu(self.bn1(self.conv1(x))), 2)
        h = act(self.conv2(h))
        z = self.fc(h.view(h.size(0), -1))
        return torch.log_softmax(z, 1) if m["log_softmax"] else z


torch.manual_seed(m["seed"])
net = Mlp() if m["net"] == "mlp" else Cnn()

if mode == "export":
    shape = (2, m["d"]) if m["net"] == "mlp" else (2, *m["image"])
    torch.onnx.export(net, torch.randn(*shape), os.path.join(case, "net.onnx"), training=torch.onnx.TrainingMode.TRAINING,
                      do_constant_folding=False, opset_version=14, input_names=["x"], output_names=["out"], dynamic_axes={"x": {0: "N"}})
    sys.exit(0)

torch.set_default_dtype(torch.float64)
net = net.double().train()
state = net.state_dict()
for p in m["params"]:
    state[p["name"]].copy_(torch.tensor(load(p["file"], np.float64).reshape(p["shape"])))
x = torch.tensor(load(m["x"], np.float32).astype(np.float64).reshape(-1, m["d"]))
if m["image"]:
    c, h, w = m["image"]
    # l2lab's rows are channels last; the clone gives NCHW strides even for one channel (so view() works).
    x = x.reshape(-1, h, w, c).permute(0, 3, 1, 2).clone(memory_format=torch.contiguous_format)
y = torch.tensor(load(m["y"], np.int32).astype(np.int64))
batches = torch.tensor(load(m["batches"], np.int32).reshape(int(m["steps"]), -1).astype(np.int64))
weights = [p for p in net.parameters() if p.dim() >= 2]
anchors = [w.detach().clone() if m.get("decay_to_init") else torch.zeros_like(w) for w in weights]
o = m["optimizer"]
opt = torch.optim.SGD(net.parameters(), lr=o["lr"]) if o["name"] == "sgd" else torch.optim.Adam(net.parameters(), lr=o["lr"], betas=(0.9, 0.999), eps=1e-8)
l2 = m["l2"]
traj = []
for s in range(batches.shape[0]):
    idx = batches[s]
    out = net(x[idx])
    data = F.nll_loss(out, y[idx]) if m["log_softmax"] else F.cross_entropy(out, y[idx])
    reg = l2["lambda"] / (2 * l2["m"]) * sum(((w - a) ** 2).sum() for w, a in zip(weights, anchors))
    traj.append({"step": s, "data_loss": float(data), "l2_term": float(reg)})
    opt.zero_grad()
    (data + reg).backward()
    opt.step()

outdir = os.path.join(case, "torch")
os.makedirs(outdir, exist_ok=True)
final = net.state_dict()
for p in m["params"]:
    final[p["name"]].detach().contiguous().numpy().astype(np.float64).tofile(os.path.join(outdir, p["file"]))
json.dump({"trajectory": traj}, open(os.path.join(outdir, "trajectory.json"), "w"))
print(json.dumps({"steps": len(traj), "first": traj[0], "last": traj[-1]}))
