#!/usr/bin/python3
"""PyTorch reference accuracy for docs/training.md: Fashion-MNIST 60k train / 10k test (Debian's
/usr/share/datasets/fashion-mnist), cnn:c16k5,p2,c32k5,p2,f128 (ReLU, 'same' 5×5 convolutions,
2×2 max-pools, dense 128, 10 outputs), He-normal weights and zero biases (l2lab's default init),
Adam lr 1e-3, batch 128, L2 in the seed convention: cost = mean CE + λ/(2m)·Σ weights², i.e.
Adam's coupled weight_decay = λ/m on weights only (biases, BatchNorm scale/shift not penalized).

Usage: /usr/bin/python3 torch_cnn_fashion.py [--bn] [--epochs 10] [--lambda 1] [--seed 0] [--threads 1]
Prints one JSON line per epoch and a final {"test_accuracy": …}.
"""
import argparse, gzip, json, time
import numpy as np
import torch
import torch.nn as nn

ap = argparse.ArgumentParser()
ap.add_argument("--bn", action="store_true")
ap.add_argument("--epochs", type=int, default=10)
ap.add_argument("--lambda", dest="lam", type=float, default=1.0)
ap.add_argument("--seed", type=int, default=0)
ap.add_argument("--threads", type=int, default=1)
ap.add_argument("--dir", default="/usr/share/datasets/fashion-mnist")
a = ap.parse_args()
torch.set_num_threads(a.threads)
torch.manual_seed(a.seed)


def idx(path, header):
    with gzip.open(path) as f:
        return np.frombuffer(f.read(), dtype=np.uint8, offset=header)


def split(prefix):
    x = idx(f"{a.dir}/{prefix}-images-idx3-ubyte.gz", 16).reshape(-1, 1, 28, 28).astype(np.float32) / 255
    y = idx(f"{a.dir}/{prefix}-labels-idx1-ubyte.gz", 8).astype(np.int64)
    return torch.tensor(x), torch.tensor(y)


xtr, ytr = split("train")
xte, yte = split("t10k")
m = xtr.shape[0]


def block(cin, cout):
    layers = [nn.Conv2d(cin, cout, 5, padding="same", bias=not a.bn)]
    if a.bn:
        layers.append(nn.BatchNorm2d(cout))
    return layers + [nn.ReLU(), nn.MaxPool2d(2)]


net = nn.Sequential(*block(1, 16), *block(16, 32), nn.Flatten(), nn.Linear(7 * 7 * 32, 128), nn.ReLU(), nn.Linear(128, 10))
weights, others = [], []
for mod in net.modules():
    if isinstance(mod, (nn.Conv2d, nn.Linear)):
        nn.init.kaiming_normal_(mod.weight, nonlinearity="relu")
        weights.append(mod.weight)
        if mod.bias is not None:
            nn.init.zeros_(mod.bias)
            others.append(mod.bias)
    elif isinstance(mod, nn.BatchNorm2d):
        others += [mod.weight, mod.bias]
opt = torch.optim.Adam([{"params": weights, "weight_decay": a.lam / m}, {"params": others, "weight_decay": 0.0}], lr=1e-3)
loss_fn = nn.CrossEntropyLoss()


def accuracy(x, y):
    net.eval()
    with torch.no_grad():
        correct = sum((net(x[i:i + 1000]).argmax(1) == y[i:i + 1000]).sum().item() for i in range(0, len(y), 1000))
    net.train()
    return correct / len(y)


t0 = time.time()
g = torch.Generator().manual_seed(a.seed)
for epoch in range(1, a.epochs + 1):
    order = torch.randperm(m, generator=g)
    total = 0.0
    steps = m // 128
    for s in range(steps):
        b = order[s * 128:(s + 1) * 128]
        loss = loss_fn(net(xtr[b]), ytr[b])
        opt.zero_grad()
        loss.backward()
        opt.step()
        total += loss.item()
    print(json.dumps({"epoch": epoch, "train_loss": total / steps, "test_accuracy": accuracy(xte, yte), "seconds": round(time.time() - t0, 1)}), flush=True)
print(json.dumps({"bn": a.bn, "test_accuracy": accuracy(xte, yte), "seconds": round(time.time() - t0, 1)}), flush=True)
