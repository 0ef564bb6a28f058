/** The task a model spec names (logistic and softmax classify), applied when a CSV or JSON target is read. */
import { loadDataset, type Dataset, type Task } from '../data/index.js';

/** 'classification' for `logistic` and `softmax`; undefined for models that fit either task (linear is checked against the data). */
export function impliedTask(model: string): Task | undefined {
  const kind = model.split(':', 1)[0];
  return kind === 'logistic' || kind === 'softmax' ? 'classification' : undefined;
}

/**
 * Loads `data` for `model`: without an explicit `task`, a CSV or JSON file's numeric target is read
 * as classes when the model classifies, so `--model logistic` on a 0/1 column needs no `--task`.
 */
export function loadForModel(data: string, model: string, o: { target?: string; task?: Task }): Dataset {
  const task = o.task ?? (/\.(csv|json)$/i.test(data) ? impliedTask(model) : undefined);
  return loadDataset(data, { target: o.target, task });
}
