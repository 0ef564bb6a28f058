#!/usr/bin/env bash
# Tunes PyTorch's weight_decay from a shell loop over `l2lab ask`, `l2lab report` and `l2lab tell`.
# Each trial trains in examples/pytorch_weight_decay.py's worker (the same train_one as the HTTP
# example): it prints one JSON line per epoch and reads back `prune` or `continue`.
#
#   examples/shell_weight_decay.sh            # STUDY, STORAGE, EPOCHS, TRIALS, L2LAB from the environment
#
# Needs jq, /usr/bin/python3 with python3-torch, and dataset-fashion-mnist.
set -euo pipefail
export LC_ALL=C # printf reads and writes numbers with a decimal point

STUDY=${STUDY:-shell-weight-decay}
STORAGE=${STORAGE:-./l2lab.db}
EPOCHS=${EPOCHS:-4}
TRIALS=${TRIALS:-5}
# How to run l2lab: an installed `l2lab`, or e.g. L2LAB='npx l2lab'.
read -r -a L2LAB <<<"${L2LAB:-l2lab}"
WORKER=("/usr/bin/python3" "$(dirname "$0")/pytorch_weight_decay.py" worker)

# The loop's settings, as examples/pytorch_weight_decay.py trains: only the first ask of a study needs them.
CONTEXT=(--convention pytorch --m 4000 --batch-size 128 --optimizer momentum --lr 0.05 --momentum 0.9
  --epochs "$EPOCHS" --log-range 1e-4:1e-1:4 --strategy bayes --trials "$TRIALS")

l2lab_json() { "${L2LAB[@]}" "$@" --study "$STUDY" --storage "$STORAGE" --json; }

while :; do
  # ask waits while every open trial runs elsewhere; it exits 1 when the search is done (2 on an error).
  code=0
  asked=$(l2lab_json ask "${CONTEXT[@]}") || code=$?
  if [ "$code" = 1 ]; then break; elif [ "$code" != 0 ]; then exit "$code"; fi
  read -r trial value epochs < <(jq -r '"\(.trial) \(.value) \(.epochs)"' <<<"$asked")
  # The worker reads its answers from a fresh pipe (fd 3), one per epoch.
  answers=$(mktemp -u)
  mkfifo "$answers"
  exec 3<>"$answers"
  rm "$answers"
  result=
  reason=
  while read -r line; do
    if [ "$(jq -r .done <<<"$line")" = true ]; then result=$line; break; fi
    answer=$(l2lab_json report --trial "$trial" $(jq -r '"--epoch \(.epoch) --val-loss \(.val_loss) --train-loss \(.train_loss) --weight-sq-norm \(.weight_sq_norm)"' <<<"$line"))
    if [ "$(jq -r .prune <<<"$answer")" = true ]; then echo prune >&3; reason=$(jq -r .reason <<<"$answer"); else echo continue >&3; fi
  done < <("${WORKER[@]}" --value "$value" --epochs "$epochs" <&3)
  exec 3>&-

  if [ -z "$result" ]; then
    l2lab_json tell --trial "$trial" --state failed --reason "the training process exited early" >/dev/null
    printf 'trial %s: weight_decay %.4g  failed\n' "$trial" "$value"
  elif [ "$(jq -r .pruned <<<"$result")" = true ]; then
    l2lab_json tell --trial "$trial" --state pruned --reason "$reason" >/dev/null
    printf 'trial %s: weight_decay %.4g  pruned at epoch %s (val loss %.4f)\n' "$trial" "$value" "$(jq -r .epochs <<<"$result")" "$(jq -r .val_loss <<<"$result")"
  else
    l2lab_json tell --trial "$trial" --val-loss "$(jq -r .val_loss <<<"$result")" >/dev/null
    printf 'trial %s: weight_decay %.4g  val loss %.4f  test loss %.4f\n' "$trial" "$value" "$(jq -r .val_loss <<<"$result")" "$(jq -r .test_loss <<<"$result")"
  fi
done
best=$(l2lab_json best)
printf 'best weight_decay %.4g (λ = %.4g), val loss %.4f\n' "$(jq -r .value <<<"$best")" "$(jq -r .best_lambda <<<"$best")" "$(jq -r .val_loss <<<"$best")"
