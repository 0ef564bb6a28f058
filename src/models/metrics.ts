/** What a model scores on a set of rows: mean data loss, and accuracy or RMSE, from per-row losses and logits. */
import type { TrainingRows } from '../data/index.js';
import type { Architecture } from './architecture.js';

export interface Metrics {
  /** Mean per-sample data loss. */
  loss: number;
  /** Classification: fraction correct. */
  accuracy?: number;
  /** Regression: root mean squared error of the prediction. */
  rmse?: number;
}

/** Mean loss plus accuracy (argmax, or logit > 0 for logistic) or RMSE over the rows given. */
export function summarize(arch: Architecture, rows: TrainingRows, indices: Int32Array | undefined, loss: Float64Array, logits: Float64Array): Metrics {
  const n = loss.length;
  let total = 0;
  for (let i = 0; i < n; i++) total += loss[i];
  const m: Metrics = { loss: total / n };
  const out = arch.widths[arch.widths.length - 1];
  const target = (i: number) => rows.y[indices ? indices[i] : i];
  if (arch.loss === 'mse') {
    let se = 0;
    for (let i = 0; i < n; i++) se += (logits[i] - target(i)) ** 2;
    m.rmse = Math.sqrt(se / n);
  } else {
    let correct = 0;
    for (let i = 0; i < n; i++) {
      let pred: number;
      if (arch.loss === 'logistic') pred = logits[i] > 0 ? 1 : 0;
      else {
        pred = 0;
        for (let c = 1; c < out; c++) if (logits[i * out + c] > logits[i * out + pred]) pred = c;
      }
      if (pred === target(i)) correct++;
    }
    m.accuracy = correct / n;
  }
  return m;
}
