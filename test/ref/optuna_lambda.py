"""Optuna (TPE sampler + MedianPruner) choosing λ for a PyTorch MLP on the split l2lab wrote.

Usage: optuna_lambda.py SPLIT_DIR

SPLIT_DIR holds meta.json (sizes, optimizer, λ grid, seed) and x_train.f32, y_train.i32, x_val.f32,
y_val.i32 (row-major, little endian): the same training and hold-out rows l2lab tunes on. The model is
d-hidden-classes with ReLU, He-normal weights and zero biases; SGD with heavy-ball momentum, minibatches
of `batch` rows reshuffled every epoch (the last partial batch dropped, as l2lab does); the seed's
penalty (λ/2m)·Σθ² on weights only, i.e. weight_decay = λ/m coupled, biases unpenalized. Each trial
trains up to `epochs` epochs with early stopping on the hold-out loss (`patience`) and reports the
hold-out cross-entropy every epoch. Compute is counted as l2lab counts it: epochs over the training split.

Prints one JSON object: the grid (each λ's best hold-out loss and epochs) and Optuna's trials in order
(λ, state, value, epochs); with optuna_trials = 0, the grid alone (best_lambda and best_value null).
"""
import json
import math
import os
import sys

import numpy as np
import optuna
import torch

torch.set_num_threads(int(os.environ.get("OPTUNA_THREADS", "1")))
optuna.logging.set_verbosity(optuna.logging.WARNING)

root = sys.argv[1]
meta = json.load(open(os.path.join(root, "meta.json")))
d, classes, hidden = meta["d"], meta["classes"], meta["hidden"]
xt = torch.from_numpy(np.fromfile(os.path.join(root, "x_train.f32"), dtype="<f4").reshape(-1, d))
yt = torch.from_numpy(np.fromfile(os.path.join(root, "y_train.i32"), dtype="<i4").astype(np.int64))
xv = torch.from_numpy(np.fromfile(os.path.join(root, "x_val.f32"), dtype="<f4").reshape(-1, d))
yv = torch.from_numpy(np.fromfile(os.path.join(root, "y_val.i32"), dtype="<i4").astype(np.int64))
m = xt.shape[0]
B, epochs, patience = meta["batch"], meta["epochs"], meta["patience"]
steps = m // B


def train(lam, seed, report=None):
    """Best hold-out loss and epochs trained; `report(epoch, loss)` returning True stops (pruned)."""
    g = torch.Generator().manual_seed(seed)
    torch.manual_seed(seed)
    l1, l2 = torch.nn.Linear(d, hidden), torch.nn.Linear(hidden, classes)
    for layer in (l1, l2):
        torch.nn.init.kaiming_normal_(layer.weight, nonlinearity="relu")
        torch.nn.init.zeros_(layer.bias)
    model = torch.nn.Sequential(l1, torch.nn.ReLU(), l2)
    opt = torch.optim.SGD(
        [{"params": [l1.weight, l2.weight], "weight_decay": lam / m}, {"params": [l1.bias, l2.bias], "weight_decay": 0.0}],
        lr=meta["lr"], momentum=meta["momentum"],
    )
    lossf = torch.nn.CrossEntropyLoss()
    best, since = math.inf, 0
    for epoch in range(1, epochs + 1):
        order = torch.randperm(m, generator=g)
        for s in range(steps):
            idx = order[s * B:(s + 1) * B]
            opt.zero_grad()
            lossf(model(xt[idx]), yt[idx]).backward()
            opt.step()
        with torch.no_grad():
            v = lossf(model(xv), yv).item()
        if not math.isfinite(v):
            return best, epoch, "diverged"
        if v < best:
            best, since = v, 0
        else:
            since += 1
        if report is not None and report(epoch, best):
            return best, epoch, "pruned"
        if since >= patience:
            return best, epoch, "early-stopped"
    return best, epochs, "complete"


seed = meta["seed"]
grid = []
for lam in meta["grid"]:
    v, e, how = train(lam, seed)
    grid.append({"lambda": lam, "value": v, "epochs": e, "how": how})

# Optuna searches the grid's span, or meta["range"] when given (an empty grid: Optuna alone, for timing it).
lo, hi = meta["range"] if "range" in meta else (meta["grid"][0], meta["grid"][-1])
trials = []


def objective(trial):
    lam = trial.suggest_float("lambda", lo, hi, log=True)

    def report(epoch, best):
        trial.report(best, epoch)
        return trial.should_prune()

    v, e, how = train(lam, seed, report)
    trials.append({"lambda": lam, "value": v, "epochs": e, "state": "PRUNED" if how == "pruned" else "COMPLETE"})
    if how == "pruned":
        raise optuna.TrialPruned()
    return v


best_lambda = best_value = None
if meta["optuna_trials"] > 0:
    study = optuna.create_study(direction="minimize", sampler=optuna.samplers.TPESampler(seed=seed), pruner=optuna.pruners.MedianPruner())
    study.optimize(objective, n_trials=meta["optuna_trials"])
    best_lambda, best_value = study.best_params["lambda"], study.best_value
print(json.dumps({"optuna_version": optuna.__version__, "grid": grid, "trials": trials, "best_lambda": best_lambda, "best_value": best_value}))
