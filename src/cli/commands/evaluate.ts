/** `l2lab evaluate`: runs a saved .onnx model (with its sidecar) on a dataset. */
import { listDatasets, loadDataset } from '../../data/index.js';
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
  summary: 'evaluate a saved model.onnx on a dataset',
  options: { model: { type: 'string' }, data: { type: 'string' }, target: { type: 'string' }, json: { type: 'boolean' } },
  help: `Usage: l2lab evaluate --model model.onnx --data D [--target COL] [--json]

Reads model.onnx and its sidecar model.onnx.json (written by 'l2lab train --out'), runs the model
on every row of D (raw features: the standardization is inside the graph) and prints loss and
accuracy (classification) or RMSE (regression).`,
  async run(v) {
    const modelPath = requireOption(v, 'model', 'evaluate');
    const side = readSidecar(modelPath);
    const dataArg = requireOption(v, 'data', 'evaluate');
    // Only a CSV has a target column to name and only CSV/JSON targets need the task: built-in
    // datasets and IDX files reject options they would ignore.
    const csv = /\.csv$/i.test(dataArg);
    const builtin = listDatasets().some((b) => b.name === dataArg);
    // Files are read against the model's classes, so a file holding some of them (even one) is scored.
    const data = loadDataset(dataArg, {
      target: stringOption(v, 'target') ?? (csv ? side.target : undefined),
      task: csv || /\.json$/i.test(dataArg) ? side.task : undefined,
      classes: side.task === 'classification' && !builtin ? side.classes : undefined,
    });
    const d = side.architecture.widths[0];
    if (data.task !== side.task) throw new InvalidDataError(`${data.name} has a ${data.task} target but the model is a ${side.task} model.`);
    // Columns are matched by name, so a CSV with its columns in another order scores the same.
    const x = alignFeatures(data, side.features, modelPath);
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
      out = await session.run({ x: tensor(x, [data.n, d]) });
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
    for (let i = 0; i < data.n; i++) {
      const z = logits.subarray(i * k, (i + 1) * k);
      if (side.architecture.loss === 'mse') {
        const r = z[0] - data.y[i];
        se += r * r;
        loss += 0.5 * r * r;
      } else if (side.architecture.loss === 'logistic') {
        const t = labelMap[data.y[i]];
        loss += Math.max(z[0], 0) - t * z[0] + Math.log1p(Math.exp(-Math.abs(z[0])));
        if ((z[0] > 0 ? 1 : 0) === t) correct++;
      } else {
        const t = labelMap[data.y[i]];
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
    const result = side.task === 'regression' ? { n: data.n, loss: loss / data.n, rmse: Math.sqrt(se / data.n) } : { n: data.n, loss: loss / data.n, accuracy: correct / data.n };
    if (v.json === true) console.log(JSON.stringify(result));
    else console.log(`${data.name}: n = ${data.n}, loss ${fmt(result.loss)}${'accuracy' in result ? `, accuracy ${pct(result.accuracy)}` : `, rmse ${fmt(result.rmse)}`}`);
    return 0;
  },
};
