"""l2lab_client: ask / report / tell / best against `l2lab serve`'s HTTP API (standard library only).

Copy this one file next to your training script, or add clients/python to sys.path. The four calls are
the protocol of docs/ask-tell.md; each returns the server's JSON answer as a dict, with the same field
names as `l2lab ask|report|tell|best --json`.

    from l2lab_client import Client
    client = Client("http://127.0.0.1:8080", token=open("token.txt").read().strip())
    context = {"convention": "pytorch", "m": 4000, "batch_size": 128, "optimizer": "momentum",
               "lr": 0.05, "momentum": 0.9, "epochs": 4}
    while (trial := client.ask("wd", context=context))["trial"] is not None:   # None: done (or wait: see retry_after)
        for epoch in range(1, trial["epochs"] + 1):
            ...  # train one epoch with weight_decay=trial["value"] on the weights
            if client.report("wd", trial["trial"], epoch, val_loss)["prune"]:
                client.tell("wd", trial["trial"], state="pruned")
                break
        else:
            client.tell("wd", trial["trial"], val_loss=val_loss)
    print(client.best("wd"))
"""
import json
import math
import time
import urllib.error
import urllib.parse
import urllib.request

__all__ = ["Client", "L2labError"]


class L2labError(Exception):
    """An error the server answered (or could not be reached): `code` is stable for programs to branch on.

    `status` is the HTTP status (0 when no answer came); `code` is the server's error code, e.g.
    'UNAUTHORIZED', 'NOT_FOUND', 'CONFLICT', 'INVALID_OPTION', or 'UNREACHABLE' for a connection failure.
    """

    def __init__(self, status, code, message):
        super().__init__(f"l2lab {code} ({status}): {message}" if status else f"l2lab {code}: {message}")
        self.status = status
        self.code = code
        self.message = message


def _finite(name, value):
    """A number the server can take (JSON has no NaN): raised here, before the request, naming the field."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise L2labError(0, "INVALID_OPTION", f"{name} must be a finite number; got {value!r}.")
    return float(value)


class Client:
    """One l2lab server. `url`: where `l2lab serve` answers; `token`: the bearer token it printed
    (or read from --token-file), needed by ask, report and tell; `timeout`: seconds per request;
    `wait`: seconds to keep retrying while nothing listens at `url` yet (a server and its workers
    started together), 0 to fail at once."""

    def __init__(self, url, token=None, timeout=30.0, wait=0.0):
        self.url = url.rstrip("/")
        self.token = token
        self.timeout = timeout
        self.wait = wait

    def ask(self, study, context=None, client_id=None):
        """A trial to train: {study, trial, lambda, convention, value, tau_epochs, prune_from_epoch, epochs, …},
        or {trial: None, status: 'done' | 'wait', reason, retry_after} when there is none now.
        `context` (a dict of docs/ask-tell.md's fields) creates the study on its first ask; the same
        `client_id` asking again gets its own unfinished trial back."""
        body = {}
        if context is not None:
            body["context"] = context
        if client_id is not None:
            body["client_id"] = client_id
        return self._call("POST", self._study(study, "ask"), body)

    def report(self, study, trial, epoch, val_loss, train_loss=None, weight_sq_norm=None):
        """Stores one epoch; answers {prune, reason, [warning]}. Stop training when `prune` is true."""
        body = {"epoch": epoch, "val_loss": _finite("val_loss", val_loss)}
        if train_loss is not None:
            body["train_loss"] = _finite("train_loss", train_loss)
        if weight_sq_norm is not None:
            body["weight_sq_norm"] = _finite("weight_sq_norm", weight_sq_norm)
        return self._call("POST", self._study(study, f"trials/{int(trial)}/report"), body)

    def tell(self, study, trial, val_loss=None, state=None, reason=None):
        """Ends a trial: with its final `val_loss`, or `state` 'pruned' or 'failed' (and a `reason`)."""
        if (val_loss is None) == (state is None):
            raise L2labError(0, "INVALID_OPTION", "tell needs exactly one of val_loss (a finished trial) or state ('pruned' or 'failed').")
        body = {"val_loss": _finite("val_loss", val_loss)} if val_loss is not None else {"state": state}
        if reason is not None:
            body["reason"] = reason
        return self._call("POST", self._study(study, f"trials/{int(trial)}/tell"), body)

    def best(self, study):
        """The study's answer so far: {best_lambda, lambda_1se, value, value_1se, convention, val_loss, noise, trials}."""
        return self._call("GET", self._study(study, "best"), None)

    def _study(self, study, rest):
        return f"{self.url}/api/v1/studies/{urllib.parse.quote(study, safe='')}/{rest}"

    def _call(self, method, url, body):
        headers = {"Accept": "application/json"}
        data = None
        if body is not None:
            data = json.dumps(body).encode("utf-8")
            headers["Content-Type"] = "application/json"
        if self.token is not None:
            headers["Authorization"] = f"Bearer {self.token}"
        request = urllib.request.Request(url, data=data, method=method, headers=headers)
        deadline = time.monotonic() + self.wait
        while True:
            try:
                with urllib.request.urlopen(request, timeout=self.timeout) as response:
                    return json.loads(response.read().decode("utf-8"))
            except urllib.error.HTTPError as e:
                raise _server_error(e) from None
            except urllib.error.URLError as e:
                # Only a refused connection is retried: the request never reached a server, so nothing was stored twice.
                if isinstance(e.reason, ConnectionRefusedError) and time.monotonic() < deadline:
                    time.sleep(0.2)
                    continue
                raise L2labError(0, "UNREACHABLE", f"cannot reach {self.url}: {e.reason}. Is 'l2lab serve' running there?") from None


def _server_error(e):
    """The server's {error: {code, message}} as an L2labError; a body that is not that (a proxy's page) is quoted."""
    text = e.read().decode("utf-8", "replace")
    try:
        error = json.loads(text)["error"]
        return L2labError(e.code, str(error["code"]), str(error["message"]))
    except (ValueError, KeyError, TypeError):
        return L2labError(e.code, "HTTP", text.strip()[:200] or e.reason)
