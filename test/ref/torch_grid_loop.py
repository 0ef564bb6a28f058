#!/usr/bin/python3
"""The PyTorch loop a user would write to choose lambda: k-fold CV over a grid, then a refit at the best.

Usage: /usr/bin/python3 torch_grid_loop.py DIR [--seeds 0,1,2]

DIR holds meta.json (d, classes: the outputs, 1 for a binary logit; hidden, batch, lr, epochs, lambdas, seed), x_train.f32 / y_train.i32
(the training rows, row-major little endian), folds.json (each fold's validation row indices; its
training rows are the rest) and x_test.f32 / y_test.i32: the rows and folds l2lab tunes on.

For each seed, each lambda and each fold: a d-hidden-classes MLP with ReLU, He-normal weights and zero
biases, plain SGD at lr, `epochs` epochs, then the validation log-loss (cross-entropy). Minibatches are
drawn as l2lab's k-fold population draws them: each epoch reshuffles the whole training part and takes
its n // batch slices of `batch` rows (the last partial one dropped); a fold's model steps on the rows
of each slice outside its validation fold (about batch*(k-1)/k), the loss their mean. The cost is the
seed's (1/m)*sum(loss) + lambda/(2m)*sum(w^2) on weights only, m the fold's training rows:
weight_decay = lambda/m coupled on the weights, 0 on the biases. The first seed's best lambda is refitted on every
training row (m = all of them) and scored on the test rows.
torch's default threads (all cores), as a user's script would run.

Prints one JSON object: lambdas, cv_loss (one curve per seed: the mean validation loss per lambda),
best_lambda, test_loss.
"""
import argparse
import json
import os

import numpy as np
import torch

p = argparse.ArgumentParser()
p.add_argument("dir")
p.add_argument("--seeds")
a = p.parse_args()

with open(os.path.join(a.dir, "meta.json")) as f:
    meta = json.load(f)
with open(os.path.join(a.dir, "folds.json")) as f:
    folds = [np.array(v, dtype=np.int64) for v in json.load(f)]
d, classes, hidden, B = meta["d"], meta["classes"], meta["hidden"], meta["batch"]


def rows(name):
    x = torch.from_numpy(np.fromfile(os.path.join(a.dir, f"x_{name}.f32"), dtype="<f4").reshape(-1, d))
    y = torch.from_numpy(np.fromfile(os.path.join(a.dir, f"y_{name}.i32"), dtype="<i4").astype(np.int64))
    return x, y


x, y = rows("train")
n = x.shape[0]
xtest, ytest = rows("test")
# One output is l2lab's binary model (a logit, log-loss); more are softmax classes (cross-entropy).
if classes == 1:
    bce = torch.nn.BCEWithLogitsLoss()
    lossf = lambda z, t: bce(z[:, 0], t.float())  # noqa: E731
else:
    lossf = torch.nn.CrossEntropyLoss()


def train(lam, seed, train_rows):
    """The MLP trained at lambda on the rows where `train_rows` (a mask over x) holds."""
    torch.manual_seed(seed)
    g = torch.Generator().manual_seed(seed)
    l1, l2 = torch.nn.Linear(d, hidden), torch.nn.Linear(hidden, classes)
    for layer in (l1, l2):
        torch.nn.init.kaiming_normal_(layer.weight, nonlinearity="relu")
        torch.nn.init.zeros_(layer.bias)
    model = torch.nn.Sequential(l1, torch.nn.ReLU(), l2)
    m = int(train_rows.sum())
    opt = torch.optim.SGD(
        [{"params": [l1.weight, l2.weight], "weight_decay": lam / m}, {"params": [l1.bias, l2.bias], "weight_decay": 0.0}],
        lr=meta["lr"],
    )
    own = torch.nonzero(train_rows).flatten()
    for _ in range(meta["epochs"]):
        if meta.get("masked", True):
            order = torch.randperm(n, generator=g)
        else:
            order = own[torch.randperm(len(own), generator=g)]
        for s in range(len(order) // B):
            idx = order[s * B:(s + 1) * B]
            idx = idx[train_rows[idx]]
            if len(idx) == 0:
                continue
            opt.zero_grad()
            lossf(model(x[idx]), y[idx]).backward()
            opt.step()
    return model


def validation_loss(model, xv, yv):
    with torch.no_grad():
        return lossf(model(xv), yv).item()


seeds = [int(s) for s in a.seeds.split(",")] if a.seeds else [meta["seed"]]
curves = []
for seed in seeds:
    curve = []
    for lam in meta["lambdas"]:
        losses = []
        for val in folds:
            mask = torch.ones(n, dtype=torch.bool)
            mask[val] = False
            model = train(lam, seed, mask)
            losses.append(validation_loss(model, x[val], y[val]))
        curve.append(float(np.mean(losses)))
    curves.append(curve)
best = meta["lambdas"][int(np.argmin(curves[0]))]
test_loss = validation_loss(train(best, seeds[0], torch.ones(n, dtype=torch.bool)), xtest, ytest)
print(json.dumps({"lambdas": meta["lambdas"], "seeds": seeds, "cv_loss": curves, "best_lambda": best, "test_loss": test_loss}))
