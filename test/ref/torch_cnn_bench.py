#!/usr/bin/python3
"""Reference throughput of PyTorch (CPU) training an l2lab cnn: spec of conv (5×5 'same') / max-pool
/ dense layers on 28×28×1 images: Adam, coupled weight decay, batch 128, random data.

Prints one JSON object with samples_per_s. Threads pinned as in torch_mlp_bench.py.
Example: /usr/bin/python3 torch_cnn_bench.py --spec c16k5,p2,c32k5,p2,f128 --threads 1
"""
import argparse, json, os, re, time

p = argparse.ArgumentParser()
p.add_argument("--spec", default="c16k5,p2,c32k5,p2,f128", help="conv c<F>k<K>, pool p<K>, dense f<W>, bn")
p.add_argument("--batch", type=int, default=128)
p.add_argument("--samples", type=int, default=2048)
p.add_argument("--epochs", type=int, default=2)
p.add_argument("--threads", type=int, default=1)
a = p.parse_args()
for var in ("OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[var] = str(a.threads)
os.environ["OMP_NUM_THREADS"] = str(a.threads)
import torch  # noqa: E402
import torch.nn as nn  # noqa: E402

torch.manual_seed(0)
torch.set_num_threads(a.threads)
layers, c, side, flat = [], 1, 28, None
for t in a.spec.split(","):
    if (m := re.fullmatch(r"c(\d+)k(\d+)", t)):
        layers += [nn.Conv2d(c, int(m[1]), int(m[2]), padding="same"), nn.ReLU()]
        c = int(m[1])
    elif (m := re.fullmatch(r"p(\d+)", t)):
        layers.append(nn.MaxPool2d(int(m[1])))
        side //= int(m[1])
    elif t == "bn":
        layers.insert(len(layers) - 1, nn.BatchNorm2d(c) if flat is None else nn.BatchNorm1d(flat))
    elif (m := re.fullmatch(r"f(\d+)", t)):
        if flat is None:
            layers.append(nn.Flatten())
            flat = c * side * side
        layers += [nn.Linear(flat, int(m[1])), nn.ReLU()]
        flat = int(m[1])
layers.append(nn.Linear(flat, 10))
net = nn.Sequential(*layers)
opt = torch.optim.Adam(net.parameters(), lr=1e-3, weight_decay=1e-5)
x = torch.rand(a.samples, 1, 28, 28)
y = torch.randint(0, 10, (a.samples,))
loss_fn = nn.CrossEntropyLoss()


def epoch():
    order = torch.randperm(a.samples)
    for s in range(0, a.samples - a.batch + 1, a.batch):
        b = order[s:s + a.batch]
        loss = loss_fn(net(x[b]), y[b])
        opt.zero_grad()
        loss.backward()
        opt.step()


epoch()
t0 = time.perf_counter()
for _ in range(a.epochs):
    epoch()
seconds = time.perf_counter() - t0
print(json.dumps({"spec": a.spec, "threads": a.threads, "samples_per_s": a.samples * a.epochs / seconds}))
