/** `l2lab evaluate`: runs a saved .onnx model (with its sidecar) on a dataset. */
import { datasetHash, listDatasets, loadDataset, splitIndices, subset, type Dataset, type LoadOptions } from '../../data/index.js';
import type { ModelSidecar } from '../../models/export.js';
import { CompiledGraph } from '../../engine/session.js';
import { tensor } from '../../engine/tensor.js';
import { InvalidDataError } from '../../errors.js';
import { alignFeatures } from '../../models/align-features.js';
import { readSidecar, sidecarPath } from '../../models/export.js';
import { requireOption, stringOption, type Command } from '../command.js';
import { fmt, pct } from '../format.js';
import fs from 'node:fs';

export const command: Command = {
  name: 'evaluate',
  options: { model: { type: 'string' }, data: { type: 'string' }, target: { type: 'string' }, all: { type: 'boolean' }, json: { type: 'boolean' } },
  help: `Usage: l2lab evaluate --model model.onnx --data D [--target COL] [--all] [--json]

Reads model.onnx and its sidecar model.onnx.json (written by 'l2lab train --out' or 'l2lab tune --out'),
runs the model on D (raw features: the standardization is inside the graph) and prints loss and
accuracy (classification) or RMSE (regression).

Which rows: by default the test rows of the split the model was trained under (the sidecar records
the seed, the split fractions and the data's content hash), so the score is on rows the model never
saw. Data whose content differs from the training data is new to the model: every row is scored,
with a note. --all scores every row.`,
  async run(v) {
    const modelPath = requireOption(v, 'model', 'evaluate');
    const side = readSidecar(modelPath);
    const dataArg = requireOption(v, 'data', 'evaluate');
    // Only a CSV has a target column to name and only CSV/JSON targets need the task: built-in
    // datasets and IDX files reject options they would ignore.
    const csv = /\.csv$/i.test(dataArg);
    const builtin = listDatasets().some((b) => b.name === dataArg);
    // Files are read against the model's classes, so a file holding some of them (even one) is scored.
    const data = loadAgainstModel(dataArg, {
      target: stringOption(v, 'target') ?? (csv ? side.target : undefined),
      task: csv || /\.json$/i.test(dataArg) ? side.task : undefined,
      classes: side.task === 'classification' && !builtin ? side.classes : undefined,
    }, side, modelPath);
    const d = side.architecture.widths[0];
    if (data.task !== side.task) throw new InvalidDataError(`${data.name} has a ${data.task} target but the model is a ${side.task} model.`);
    // Columns are matched by name, so a CSV with its columns in another order scores the same (and has the same content hash).
    const aligned: Dataset = { ...data, d, x: alignFeatures(data, side.features, modelPath), featureNames: side.features };
    const scored = rowsToScore(aligned, side, v.all === true);
    const rows = scored.rows ? subset(aligned, scored.rows) : aligned;
    const classes = side.classes ?? [];
    // Map the data's class names onto the model's class indices.
    const labelMap = data.task === 'classification' ? data.classes.map((c) => classes.indexOf(c)) : [];
    // The first sample whose class the model lacks (a class name with no samples does no harm).
    const unknown = data.task === 'classification' ? data.y.findIndex((c) => labelMap[c] < 0) : -1;
    if (unknown >= 0 && data.task === 'classification') {
      throw new InvalidDataError(
        `${data.name}, sample ${unknown + 1}: class label '${data.classes[data.y[unknown]]}' is out of range: the model knows only the classes ${classes.join(', ')}. Drop the samples of other classes, or evaluate a model trained on them.`,
      );
    }
    let session: CompiledGraph;
    try {
      session = await CompiledGraph.compile(new Uint8Array(fs.readFileSync(modelPath)));
    } catch (e) {
      throw new InvalidDataError(`${modelPath} is not a model ONNX Runtime can load (${(e as Error).message.split('\n')[0]}). Re-export it with 'l2lab train … --out ${modelPath}'.`);
    }
    const k = side.architecture.widths[side.architecture.widths.length - 1];
    // A sidecar copied from another model describes other shapes: say so instead of ONNX Runtime's dimension error.
    const mismatch = (why: string) =>
      new InvalidDataError(`${modelPath} does not match its sidecar ${sidecarPath(modelPath)} (${why}): they come from different models. Copy the .onnx file and its .onnx.json from the same 'l2lab train --out'.`);
    let out: Awaited<ReturnType<CompiledGraph['run']>>;
    try {
      out = await session.run({ x: tensor(rows.x, [rows.n, d]) });
    } catch (e) {
      await session.release();
      throw mismatch(`the sidecar says ${d} features; ONNX Runtime: ${(e as Error).message.split('\n')[0]}`);
    }
    if (out.logits.dims[1] !== k) {
      await session.release();
      throw mismatch(`the sidecar says ${k} outputs, the model has ${out.logits.dims[1]}`);
    }
    const logits = out.logits.data as Float32Array;
    let loss = 0;
    let correct = 0;
    let se = 0;
    for (let i = 0; i < rows.n; i++) {
      const z = logits.subarray(i * k, (i + 1) * k);
      if (side.architecture.loss === 'mse') {
        const r = z[0] - rows.y[i];
        se += r * r;
        loss += 0.5 * r * r;
      } else if (side.architecture.loss === 'logistic') {
        const t = labelMap[rows.y[i]];
        loss += Math.max(z[0], 0) - t * z[0] + Math.log1p(Math.exp(-Math.abs(z[0])));
        if ((z[0] > 0 ? 1 : 0) === t) correct++;
      } else {
        const t = labelMap[rows.y[i]];
        let max = -Infinity;
        let arg = 0;
        for (let c = 0; c < k; c++) if (z[c] > max) [max, arg] = [z[c], c];
        let s = 0;
        for (let c = 0; c < k; c++) s += Math.exp(z[c] - max);
        loss += Math.log(s) + max - z[t];
        if (arg === t) correct++;
      }
    }
    await session.release();
    const n = rows.n;
    const metrics = side.task === 'regression' ? { loss: loss / n, rmse: Math.sqrt(se / n) } : { loss: loss / n, accuracy: correct / n };
    const result = { n, rows: scored.which, of: data.n, ...metrics };
    if (v.json === true) console.log(JSON.stringify({ ...result, scored: scored.text, ...(scored.note ? { note: scored.note } : {}) }));
    else {
      console.log(`${data.name}: n = ${n}, loss ${fmt(metrics.loss)}${'accuracy' in metrics ? `, accuracy ${pct(metrics.accuracy)}` : `, rmse ${fmt(metrics.rmse)}`}`);
      console.log(`rows scored: ${scored.text}`);
      if (scored.note) console.log(`note: ${scored.note}`);
    }
    return 0;
  },
};

/**
 * The data read with `options`. A label outside the model's classes is often the symptom of other
 * data altogether (Fashion-MNIST against a wine model): then the data is read again without the
 * classes, and a feature mismatch, when there is one, is the error named instead.
 */
function loadAgainstModel(dataArg: string, options: LoadOptions, side: ModelSidecar, modelPath: string): Dataset {
  try {
    return loadDataset(dataArg, options);
  } catch (labels) {
    if (!(labels instanceof InvalidDataError) || options.classes === undefined) throw labels;
    let plain: Dataset;
    try {
      plain = loadDataset(dataArg, { ...options, classes: undefined });
    } catch {
      throw labels;
    }
    alignFeatures(plain, side.features, modelPath);
    throw labels;
  }
}

/** Which rows evaluate scores: the training split's test rows (same data, not --all), or every row, with the sentence saying which. */
function rowsToScore(data: Dataset, side: ModelSidecar, all: boolean): { rows?: Int32Array; which: 'test' | 'all'; text: string; note?: string } {
  const count = (k: number) => k.toLocaleString('en-US');
  const every = `all ${count(data.n)} rows`;
  if (all) return { which: 'all', text: `${every} (--all)` };
  const s = side.split;
  if (!s) return { which: 'all', text: every, note: 'the sidecar records no training split (written by an older l2lab), so the rows the model trained on cannot be left out' };
  if (s.test === 0) return { which: 'all', text: every, note: 'the model was trained with --test 0: no rows were held out' };
  if (datasetHash(data) !== s.data_hash) return { which: 'all', text: every, note: 'this data differs from the data the model was trained on, so every row is new to it' };
  const rows = splitIndices(data, { validation: s.validation, test: s.test, seed: s.seed }).test;
  return { rows, which: 'test', text: `test split: ${count(rows.length)} of ${count(data.n)} rows (seed ${s.seed}, test ${s.test})` };
}
