#!/usr/bin/python3
"""Reference L2-regularized linear models from scikit-learn: coefficients per lambda, or a k-fold CV curve.

Usage:
  sklearn_glm.py DATA.csv --target COL --model logistic|softmax|ridge --lambdas 1e-3,1,1e3
  sklearn_glm.py DATA.csv --target COL --model logistic|softmax|ridge --lambdas ... --folds FOLDS.json [--repeat R] [--no-curve]

DATA.csv has a header row; every other column is a feature, used as given (l2lab writes its own
standardized rows, so both sides fit the same numbers). FOLDS.json is a list of validation-row index
lists (the complement of each is its training part).

Objectives and the mapping to the seed's cost (1/m)*sum(loss) + lambda/(2m)*sum(w^2), intercept free:
  LogisticRegression minimises C*sum(logloss) + 1/2*||w||^2 = (1/lambda) * m * seed cost, so C = 1/lambda
  (multinomial: the same with the softmax cross-entropy; the intercepts are defined up to one shared
  constant, so both sides are compared centred).
  Ridge minimises ||y - Xw - b||^2 + alpha*||w||^2 = 2 * m * seed cost with loss (y - yhat)^2/2, so alpha = lambda.

Coefficient mode prints {"fits": [{"lambda", "coef" (d x k, row-major like l2lab's W), "intercept" (k),
"grad_norm"}]}: max |gradient| of the seed cost at scikit-learn's solution, computed here, because
scikit-learn's lbfgs stops on a relative cost decrease (scipy's ftol) near |grad| 1e-6 whatever tol
says. So the exact solvers are used: newton-cholesky (binary), newton-cg (multinomial; at tol 1e-10
it stops at the rounding limit, |grad| ~ 1e-10, and warns that it "failed to converge": grad_norm is
the check), cholesky (ridge).
Fold mode fits LogisticRegressionCV(Cs=[1/lambda], cv=folds, scoring="neg_log_loss"; softmax:
multi_class="multinomial") or RidgeCV(alphas=lambdas, cv=folds, scoring="neg_mean_squared_error") and
prints the mean validation loss per lambda (log-loss; or half the mean squared error, l2lab's loss) and
"seconds": the fit time inside Python (median of --repeat runs), without interpreter start-up and imports.
RidgeCV keeps only its best alpha, so ridge's curve is refitted here, alpha by alpha; --no-curve skips
that (and prints no curve), so that the whole process is what a user's RidgeCV script would run.
Needs Debian's python3-sklearn:  apt-get install -y python3-sklearn
"""
import argparse, json, time, warnings
import numpy as np
from sklearn.linear_model import LogisticRegression, LogisticRegressionCV, Ridge, RidgeCV

p = argparse.ArgumentParser()
p.add_argument("csv")
p.add_argument("--target", required=True)
p.add_argument("--model", required=True, choices=["logistic", "softmax", "ridge"])
p.add_argument("--lambdas", required=True)
p.add_argument("--folds")
p.add_argument("--tol", type=float, default=1e-10)
p.add_argument("--repeat", type=int, default=1)
p.add_argument("--no-curve", action="store_true")
a = p.parse_args()

header = open(a.csv).readline().strip().split(",")
data = np.loadtxt(a.csv, delimiter=",", skiprows=1)
t = header.index(a.target)
y = data[:, t]
X = np.delete(data, t, axis=1)
lambdas = [float(v) for v in a.lambdas.split(",")]


def seed_gradient(coef, b, lam):
    """max |d/dtheta| of (1/m) sum(loss) + lambda/(2m) ||W||^2 at (W, b)."""
    Z = X @ coef + b
    if a.model == "ridge":
        R = Z - y.reshape(-1, 1)
    elif a.model == "logistic":
        R = 1 / (1 + np.exp(-Z)) - y.reshape(-1, 1)
    else:
        P = np.exp(Z - Z.max(1, keepdims=True))
        P /= P.sum(1, keepdims=True)
        R = P - np.eye(coef.shape[1])[y.astype(int)]
    n = len(y)
    return float(max(np.abs(X.T @ R / n + lam / n * coef).max(), np.abs(R.mean(0)).max()))

if a.folds is None:
    fits = []
    for lam in lambdas:
        if a.model == "ridge":
            m = Ridge(alpha=lam, tol=a.tol, solver="cholesky").fit(X, y)
            coef, b = m.coef_.reshape(-1, 1), np.atleast_1d(m.intercept_)
        else:
            solver = "newton-cholesky" if a.model == "logistic" else "newton-cg"
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # see grad_norm above
                m = LogisticRegression(C=1.0 / lam, tol=a.tol, max_iter=1000, solver=solver).fit(X, y.astype(int))
            coef, b = m.coef_.T, m.intercept_
            if a.model == "softmax":
                b = b - b.mean()
        fits.append({"lambda": lam, "coef": [float(v) for v in coef.ravel()], "intercept": [float(v) for v in b], "grad_norm": seed_gradient(coef, b, lam)})
    print(json.dumps({"fits": fits}))
else:
    warnings.simplefilter("error")  # a reference that did not converge must not pass silently
    with open(a.folds) as f:
        val = [np.array(v, dtype=int) for v in json.load(f)]
    n = len(y)
    cv = [(np.setdiff1d(np.arange(n), v), v) for v in val]
    times = []
    for _ in range(a.repeat):
        t0 = time.perf_counter()
        if a.model == "ridge":
            m = RidgeCV(alphas=lambdas, cv=cv, scoring="neg_mean_squared_error").fit(X, y)
        else:
            multi = "multinomial" if a.model == "softmax" else "auto"
            m = LogisticRegressionCV(Cs=[1.0 / l for l in lambdas], cv=cv, scoring="neg_log_loss", tol=a.tol, max_iter=100000, multi_class=multi).fit(X, y.astype(int))
        times.append(time.perf_counter() - t0)
    if a.model == "ridge":
        # RidgeCV(cv=...) keeps only the best alpha; score each alpha on the same folds for the curve.
        curve = [] if a.no_curve else [float(np.mean([np.mean((Ridge(alpha=l).fit(X[tr], y[tr]).predict(X[va]) - y[va]) ** 2) / 2 for tr, va in cv])) for l in lambdas]
        best = float(m.alpha_)
    else:
        scores = next(iter(m.scores_.values()))  # (folds, Cs), neg log-loss
        curve = [float(v) for v in -scores.mean(axis=0)]
        best = float(1.0 / m.C_[0])
    print(json.dumps({"lambdas": lambdas, "cv_loss": curve, "best_lambda": best, "seconds": float(np.median(times))}))
