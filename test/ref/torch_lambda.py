"""One PyTorch training function choosing λ, driven by a grid, by Optuna, or by l2lab's ask/report/tell.

Usage: torch_lambda.py SPLIT_DIR grid | optuna | refit | l2lab URL TOKEN_FILE STUDY

SPLIT_DIR holds meta.json (sizes, model, optimizer, λ grid, seed) and x_train.f32, y_train.i32,
x_val.f32, y_val.i32, x_test.f32, y_test.i32 (row-major, little endian): the training, hold-out and
test rows l2lab tunes and refits on. The model is an MLP d-hidden-classes (`hidden`) or the cnn spec
`cnn` (conv cFkK 'same', max pool pK, dense fW; 28×28×1 images), ReLU, He-normal weights and zero
biases; SGD with heavy-ball momentum, minibatches of `batch` rows reshuffled every epoch (the last
partial batch dropped, as l2lab does); the seed's penalty (λ/2m)·Σθ² on weights only, i.e.
weight_decay = λ/m coupled, biases unpenalized. A trial trains up to `epochs` epochs with early
stopping on the hold-out loss (`patience`). Compute is counted as l2lab counts it: epochs over the
training split.

- grid: every λ of meta.grid; prints {"grid": [{lambda, value, epochs, how}]}.
- optuna: Optuna's TPE sampler (seeded) and MedianPruner over [grid[0], grid[-1]] for
  meta.optuna_trials trials, reporting the best-so-far hold-out loss every epoch; prints
  {"optuna_version", "trials": [{lambda, state, value, epochs}] in order, "best_lambda", "best_value"}.
- refit: each λ of meta.refit trained on the training and hold-out rows together for `epochs` epochs
  (no early stopping: there are no hold-out rows left), as l2lab's refit; prints
  {"refit": [{lambda, test_loss}]}.
- l2lab: the same trials through l2lab's Python client (clients/python/l2lab_client.py) against
  `l2lab serve` at URL: ask (convention pytorch, log range grid[0]/m … grid[-1]/m, bayes,
  meta.l2lab_trials trials), report each epoch's hold-out loss, tell the best; prints
  {"trials": [{lambda, state, value, epochs}] in order, "best_lambda", "best": best()'s answer}.
"""
import json
import math
import os
import re
import sys

import numpy as np
import torch

torch.set_num_threads(int(os.environ.get("OPTUNA_THREADS", "1")))

root = sys.argv[1]
meta = json.load(open(os.path.join(root, "meta.json")))
d, classes = meta["d"], meta["classes"]
B, epochs, patience, seed = meta["batch"], meta["epochs"], meta["patience"], meta["seed"]


def rows(part):
    x = torch.from_numpy(np.fromfile(os.path.join(root, f"x_{part}.f32"), dtype="<f4").reshape(-1, d))
    y = torch.from_numpy(np.fromfile(os.path.join(root, f"y_{part}.i32"), dtype="<i4").astype(np.int64))
    return (x.reshape(-1, 1, 28, 28) if meta.get("cnn") else x), y


def build():
    """The model and its weights (decayed) and biases (free), He-normal weights and zero biases."""
    layers, c, side, flat = [], 1, 28, None
    for t in meta["cnn"].split(",") if meta.get("cnn") else [f"f{meta['hidden']}"]:
        if (k := re.fullmatch(r"c(\d+)k(\d+)", t)):
            layers += [torch.nn.Conv2d(c, int(k[1]), int(k[2]), padding="same"), torch.nn.ReLU()]
            c = int(k[1])
        elif (k := re.fullmatch(r"p(\d+)", t)):
            layers.append(torch.nn.MaxPool2d(int(k[1])))
            side //= int(k[1])
        elif (k := re.fullmatch(r"f(\d+)", t)):
            if meta.get("cnn") and flat is None:
                layers.append(torch.nn.Flatten())
            flat = flat if flat is not None else (c * side * side if meta.get("cnn") else d)
            layers += [torch.nn.Linear(flat, int(k[1])), torch.nn.ReLU()]
            flat = int(k[1])
    layers.append(torch.nn.Linear(flat, classes))
    weighted = [l for l in layers if isinstance(l, (torch.nn.Linear, torch.nn.Conv2d))]
    for l in weighted:
        torch.nn.init.kaiming_normal_(l.weight, nonlinearity="relu")
        torch.nn.init.zeros_(l.bias)
    return torch.nn.Sequential(*layers), [l.weight for l in weighted], [l.bias for l in weighted]


def train(weight_decay, xt, yt, val=None, report=None):
    """Trains at `weight_decay` (PyTorch units, λ/m of the rows trained on) from the seed's init.

    With `val`: early stopping on its loss; returns (best hold-out loss, epochs, how). `report(epoch,
    val_loss, best)` returning True stops it (pruned). Without: all `epochs`; returns the model."""
    g = torch.Generator().manual_seed(seed)
    torch.manual_seed(seed)
    model, weights, biases = build()
    opt = torch.optim.SGD([{"params": weights, "weight_decay": weight_decay}, {"params": biases, "weight_decay": 0.0}], lr=meta["lr"], momentum=meta["momentum"])
    lossf = torch.nn.CrossEntropyLoss()
    m = xt.shape[0]
    best, since = math.inf, 0
    for epoch in range(1, epochs + 1):
        order = torch.randperm(m, generator=g)
        for s in range(m // B):
            idx = order[s * B:(s + 1) * B]
            opt.zero_grad()
            lossf(model(xt[idx]), yt[idx]).backward()
            opt.step()
        if val is None:
            continue
        with torch.no_grad():
            v = lossf(model(val[0]), val[1]).item()
        if not math.isfinite(v):
            return best, epoch, "diverged"
        best, since = (v, 0) if v < best else (best, since + 1)
        if report is not None and report(epoch, v, best):
            return best, epoch, "pruned"
        if since >= patience:
            return best, epoch, "early-stopped"
    return model if val is None else (best, epochs, "complete")


def run_grid(xt, yt, val):
    out = []
    for lam in meta["grid"]:
        v, e, how = train(lam / xt.shape[0], xt, yt, val)
        out.append({"lambda": lam, "value": v, "epochs": e, "how": how})
    return {"grid": out}


def run_optuna(xt, yt, val):
    import optuna

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    trials = []

    def objective(trial):
        lam = trial.suggest_float("lambda", meta["grid"][0], meta["grid"][-1], log=True)

        def report(epoch, _v, best):
            trial.report(best, epoch)
            return trial.should_prune()

        v, e, how = train(lam / xt.shape[0], xt, yt, val, report)
        trials.append({"lambda": lam, "value": v, "epochs": e, "state": "PRUNED" if how == "pruned" else "COMPLETE"})
        if how == "pruned":
            raise optuna.TrialPruned()
        return v

    study = optuna.create_study(direction="minimize", sampler=optuna.samplers.TPESampler(seed=seed), pruner=optuna.pruners.MedianPruner())
    study.optimize(objective, n_trials=meta["optuna_trials"])
    return {"optuna_version": optuna.__version__, "trials": trials, "best_lambda": study.best_params["lambda"], "best_value": study.best_value}


def run_refit(xt, yt, val):
    xa, ya = torch.cat([xt, val[0]]), torch.cat([yt, val[1]])
    xs, ys = rows("test")
    out = []
    for lam in meta["refit"]:
        model = train(lam / xa.shape[0], xa, ya)
        with torch.no_grad():
            out.append({"lambda": lam, "test_loss": torch.nn.functional.cross_entropy(model(xs), ys).item()})
    return {"refit": out}


def run_l2lab(xt, yt, val, url, token_file, study):
    sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "../../clients/python"))
    from l2lab_client import Client

    m = xt.shape[0]
    with open(token_file, encoding="utf-8") as f:
        client = Client(url, f.read().strip(), wait=60)
    context = {"convention": "pytorch", "m": m, "batch_size": B, "optimizer": "momentum", "lr": meta["lr"], "momentum": meta["momentum"], "epochs": epochs,
               "log_range": {"lo": meta["grid"][0] / m, "hi": meta["grid"][-1] / m, "n": len(meta["grid"])}, "strategy": "bayes", "trials": meta["l2lab_trials"]}
    trials = []
    while (t := client.ask(study, context=context))["trial"] is not None:
        n = t["trial"]
        v, e, how = train(t["value"], xt, yt, val, lambda epoch, v, _best: client.report(study, n, epoch, v)["prune"])
        if how == "pruned":
            client.tell(study, n, state="pruned", reason="median rule")
        elif math.isfinite(v):
            client.tell(study, n, val_loss=v)
        else:
            client.tell(study, n, state="failed", reason="diverged")
        trials.append({"lambda": t["value"] * m, "value": v if math.isfinite(v) else None, "epochs": e, "state": "PRUNED" if how == "pruned" else "COMPLETE"})
    if t["status"] != "done":
        raise SystemExit(f"torch_lambda.py l2lab: ask answered {t!r}; expected done (one worker)")
    best = client.best(study)
    return {"trials": trials, "best_lambda": best["value"] * m, "best": best}


xt, yt = rows("train")
val = rows("val")
mode = sys.argv[2]
if mode == "grid":
    print(json.dumps(run_grid(xt, yt, val)))
elif mode == "optuna":
    print(json.dumps(run_optuna(xt, yt, val)))
elif mode == "refit":
    print(json.dumps(run_refit(xt, yt, val)))
elif mode == "l2lab":
    print(json.dumps(run_l2lab(xt, yt, val, *sys.argv[3:6])))
else:
    raise SystemExit(f"torch_lambda.py: unknown mode {mode!r}; expected grid, optuna, refit or l2lab")
