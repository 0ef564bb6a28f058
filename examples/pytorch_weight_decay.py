#!/usr/bin/python3
"""Tune PyTorch's `weight_decay` with l2lab: a real MLP on a Fashion-MNIST subset, asked, reported and told.

One training function, `train_one(value, epochs, report_cb)`, serves three doors:

    # 1. Python over HTTP (start `l2lab serve --token-file token.txt` first):
    /usr/bin/python3 examples/pytorch_weight_decay.py --url http://127.0.0.1:8080 --token-file token.txt --study wd
    # 2. a shell loop over `l2lab ask/report/tell` (examples/shell_weight_decay.sh), and
    # 3. a TypeScript driver (examples/typescript-driver.ts), both running one trial per process:
    /usr/bin/python3 examples/pytorch_weight_decay.py worker --value 0.001 --epochs 4

The worker speaks JSON lines: after each epoch it prints {"epoch", "val_loss", "train_loss",
"weight_sq_norm"} and reads one line back, `prune` or `continue`; at the end it prints
{"done": true, "pruned", "val_loss", "test_loss", "epochs"}.

Weight decay applies to the Linear layers' weights only (biases free), as in l2lab's cost
(1/m)·Σ loss + (λ/2m)·Σ W²: PyTorch's weight_decay is then λ/m, the `value` that ask returns for the
`pytorch` convention. Needs Debian's python3-torch and dataset-fashion-mnist.
"""
import argparse
import gzip
import json
import os
import sys
import time

import numpy as np
import torch

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "clients", "python"))
from l2lab_client import Client  # noqa: E402

DATA_DIR = "/usr/share/datasets/fashion-mnist"

# The training loop's settings: what l2lab needs to know to reason about λ (its StudyContext).
SETTINGS = {"n_train": 4000, "n_val": 1000, "n_test": 2000, "batch_size": 128, "lr": 0.05, "momentum": 0.9, "hidden": 128}


def study_context(epochs, log_range, trials):
    """The StudyContext of this loop for `ask` (docs/ask-tell.md): PyTorch units (log_range in weight_decay), SGD with momentum, bayes."""
    return {"convention": "pytorch", "m": SETTINGS["n_train"], "batch_size": SETTINGS["batch_size"],
            "optimizer": "momentum", "lr": SETTINGS["lr"], "momentum": SETTINGS["momentum"],
            "epochs": epochs, "log_range": log_range, "strategy": "bayes", "trials": trials}


def _idx(name, count, row_bytes, header):
    """The first `count` records of a gzipped IDX file (reading only those: the subset is a prefix)."""
    with gzip.open(os.path.join(DATA_DIR, name), "rb") as f:
        f.read(header)
        return np.frombuffer(f.read(count * row_bytes), dtype=np.uint8).reshape(count, row_bytes)


def load_data():
    """Train and validation rows (a prefix of Fashion-MNIST's training file) and test rows (of t10k), scaled to [0, 1]."""
    n = SETTINGS["n_train"] + SETTINGS["n_val"]
    x = torch.tensor(_idx("train-images-idx3-ubyte.gz", n, 784, 16), dtype=torch.float32) / 255
    y = torch.tensor(_idx("train-labels-idx1-ubyte.gz", n, 1, 8).ravel(), dtype=torch.int64)
    x_test = torch.tensor(_idx("t10k-images-idx3-ubyte.gz", SETTINGS["n_test"], 784, 16), dtype=torch.float32) / 255
    y_test = torch.tensor(_idx("t10k-labels-idx1-ubyte.gz", SETTINGS["n_test"], 1, 8).ravel(), dtype=torch.int64)
    t = SETTINGS["n_train"]
    return {"train": (x[:t], y[:t]), "val": (x[t:], y[t:]), "test": (x_test, y_test)}


def _loss(model, rows):
    with torch.no_grad():
        return torch.nn.functional.cross_entropy(model(rows[0]), rows[1]).item()


def train_one(value, epochs, report_cb, data=None, seed=0):
    """Trains the MLP with `weight_decay=value` on the weights (not the biases) for up to `epochs` epochs.

    After each epoch calls report_cb(epoch, val_loss, train_loss, weight_sq_norm), where weight_sq_norm
    is Σθ² over the decayed weights; a true answer stops training (pruned). Returns
    {"pruned", "epochs", "val_loss", "test_loss"} (test_loss None when pruned).
    """
    data = data if data is not None else load_data()
    torch.manual_seed(seed)
    model = torch.nn.Sequential(torch.nn.Linear(784, SETTINGS["hidden"]), torch.nn.ReLU(), torch.nn.Linear(SETTINGS["hidden"], 10))
    weights = [p for name, p in model.named_parameters() if name.endswith("weight")]
    biases = [p for name, p in model.named_parameters() if name.endswith("bias")]
    optimizer = torch.optim.SGD([{"params": weights, "weight_decay": value}, {"params": biases, "weight_decay": 0.0}],
                                lr=SETTINGS["lr"], momentum=SETTINGS["momentum"])
    x, y = data["train"]
    shuffle = torch.Generator().manual_seed(seed)
    val_loss = float("nan")
    for epoch in range(1, epochs + 1):
        total = 0.0
        for batch in torch.randperm(len(x), generator=shuffle).split(SETTINGS["batch_size"]):
            optimizer.zero_grad()
            loss = torch.nn.functional.cross_entropy(model(x[batch]), y[batch])
            loss.backward()
            optimizer.step()
            total += loss.item() * len(batch)
        val_loss = _loss(model, data["val"])
        weight_sq_norm = sum(float((w.detach() ** 2).sum()) for w in weights)
        if report_cb(epoch, val_loss, total / len(x), weight_sq_norm):
            return {"pruned": True, "epochs": epoch, "val_loss": val_loss, "test_loss": None}
    return {"pruned": False, "epochs": epochs, "val_loss": val_loss, "test_loss": _loss(model, data["test"])}


def tune_over_http(client, study, context):
    """The ask / report / tell loop through the Python client, until the strategy is done; returns best()."""
    data = load_data()
    while True:
        trial = client.ask(study, context=context)
        if trial["trial"] is None:  # no trial now: the strategy is done, or every open one runs elsewhere
            if trial["status"] == "done":
                return client.best(study)
            time.sleep(trial.get("retry_after", 5))
            continue
        number = trial["trial"]
        answer = {}

        def report(epoch, val_loss, train_loss, weight_sq_norm):
            answer.update(client.report(study, number, epoch, val_loss, train_loss, weight_sq_norm))
            if answer.get("warning"):
                print(f"  warning: {answer['warning']}", file=sys.stderr)
            return answer["prune"]

        result = train_one(trial["value"], trial["epochs"], report, data)
        if result["pruned"]:
            client.tell(study, number, state="pruned", reason=answer["reason"])
        else:
            client.tell(study, number, val_loss=result["val_loss"])
        print(f"trial {number}: weight_decay {trial['value']:.4g}  " + (
            f"pruned at epoch {result['epochs']} (val loss {result['val_loss']:.4f})" if result["pruned"]
            else f"val loss {result['val_loss']:.4f}  test loss {result['test_loss']:.4f}"), flush=True)


def worker(value, epochs):
    """One trial for a driver in another language: JSON lines out, `prune`/`continue` lines in."""
    def report(epoch, val_loss, train_loss, weight_sq_norm):
        print(json.dumps({"epoch": epoch, "val_loss": val_loss, "train_loss": train_loss, "weight_sq_norm": weight_sq_norm}), flush=True)
        answer = sys.stdin.readline().strip()
        if answer not in ("prune", "continue"):
            raise SystemExit(f"pytorch_weight_decay worker: expected 'prune' or 'continue' on stdin after epoch {epoch}, got {answer!r}")
        return answer == "prune"

    print(json.dumps({"done": True, **train_one(value, epochs, report)}), flush=True)


def main(argv):
    torch.set_num_threads(int(os.environ.get("L2LAB_THREADS", "1")))
    if argv[:1] == ["worker"]:
        p = argparse.ArgumentParser(prog="pytorch_weight_decay.py worker")
        p.add_argument("--value", type=float, required=True, help="weight_decay (PyTorch units), as ask returned it")
        p.add_argument("--epochs", type=int, required=True)
        a = p.parse_args(argv[1:])
        return worker(a.value, a.epochs)
    p = argparse.ArgumentParser(description="Tune weight_decay of a PyTorch MLP through `l2lab serve`.")
    p.add_argument("--url", default="http://127.0.0.1:8080")
    p.add_argument("--token-file", required=True, help="the file `l2lab serve --token-file` reads its token from")
    p.add_argument("--study", default="pytorch-weight-decay")
    p.add_argument("--epochs", type=int, default=4)
    p.add_argument("--log-range", default="1e-4:1e-1:4", help="lo:hi:n, the weight_decay interval (PyTorch units) to search")
    p.add_argument("--trials", type=int, default=5, help="most trials (bayes)")
    a = p.parse_args(argv)
    lo, hi, n = a.log_range.split(":")
    with open(a.token_file, encoding="utf-8") as f:
        client = Client(a.url, f.read().strip(), wait=60)
    best = tune_over_http(client, a.study, study_context(a.epochs, {"lo": float(lo), "hi": float(hi), "n": int(n)}, a.trials))
    print(f"best weight_decay {best['value']:.4g} (λ = {best['best_lambda']:.4g}), val loss {best['val_loss']:.4f}")

if __name__ == "__main__":
    main(sys.argv[1:])
