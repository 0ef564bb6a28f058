/** Model architectures: linear, logistic, softmax and MLPs, as layer widths plus activation, loss and dropout. */
import { InvalidOptionError } from '../errors.js';
import { DEFAULTS } from '../options/defaults.js';
import { ACTIVATIONS } from '../options/names.js';
import { cnnParamShapes, describeCnn, parseCnnSpec, type CnnStem } from './cnn-spec.js';
import type { Architecture, LossKind, ModelSpecOptions, TaskShape } from './architecture-types.js';
import type { ParamShape } from './param-shape.js';
import { describeImported, importModel, isOnnxPath } from '../onnx-import/import-model.js';
import { MAX_PARAMS } from '../params/limits.js';

export type { Architecture, LossKind, ModelSpecOptions, TaskShape } from './architecture-types.js';

/** Whether K members of the architecture train as one population graph (convolutions, pooling and BatchNorm train one member per graph). */
export function stacksMembers(arch: Architecture): boolean {
  return !arch.cnn && (arch.onnx?.stacks ?? true);
}

/**
 * W0, b0, W1, b1, …: weight [fanIn, fanOut] then bias [fanOut] for each layer; `cnn:` models list
 * their own (see cnnParamShapes). Every non-weight tensor is 1-D [fanOut].
 */
export function paramShapes(arch: Architecture): ParamShape[] {
  if (arch.onnx) return arch.onnx.params;
  if (arch.cnn) return cnnParamShapes(arch.cnn, arch.widths);
  const out: ParamShape[] = [];
  for (let l = 0; l + 1 < arch.widths.length; l++) {
    const fanIn = arch.widths[l];
    const fanOut = arch.widths[l + 1];
    out.push({ name: `W${l}`, kind: 'weight', layer: l, fanIn, fanOut, size: fanIn * fanOut });
    out.push({ name: `b${l}`, kind: 'bias', layer: l, fanIn, fanOut, size: fanOut });
  }
  return out;
}

/** Parameter counts of an architecture: all of them, the weights (which the L2 penalty covers) and the biases (free by default). */
export function countParams(arch: Architecture): { total: number; weights: number; biases: number } {
  let weights = 0;
  let biases = 0;
  for (const p of paramShapes(arch)) {
    if (p.kind === 'weight') weights += p.size;
    else if (p.kind !== 'running') biases += p.size;
  }
  return { total: weights + biases, weights, biases };
}

/**
 * Parses a model spec string: `linear`, `logistic`, `softmax`, `mlp:W1,W2,…`, `cnn:…`, or the path
 * of an .onnx file (imported, src/onnx-import). The loss follows the task: regression → mse, 2
 * classes → logistic, more → softmax_ce.
 */
export function parseModelSpec(spec: string, inputs: number, task: TaskShape, o: ModelSpecOptions = {}): Architecture {
  if (isOnnxPath(spec)) return importModel(spec, inputs, task, o);
  const activation = o.activation ?? DEFAULTS.activation;
  if (!ACTIVATIONS.includes(activation)) throw new InvalidOptionError(`Unknown activation '${activation}'. Use one of: ${ACTIVATIONS.join(', ')}.`);
  const classes = task.task === 'classification' ? task.classes : 0;
  const lossFor = (): LossKind => (task.task === 'regression' ? 'mse' : classes === 2 ? 'logistic' : 'softmax_ce');
  const outputs = task.task === 'regression' || classes === 2 ? 1 : classes;
  let hidden: number[];
  let loss: LossKind;
  let cnn: CnnStem | undefined;
  const [kind, rest] = spec.split(':', 2);
  switch (kind) {
    case 'linear':
      if (task.task !== 'regression') throw new InvalidOptionError(`Model 'linear' is least-squares regression, but the data has ${classes} classes. Use --model logistic (2 classes), softmax, or mlp:….`);
      hidden = [];
      loss = 'mse';
      break;
    case 'logistic':
      if (classes !== 2) throw new InvalidOptionError(`Model 'logistic' needs 2 classes; the data has ${task.task === 'regression' ? 'a numeric target' : `${classes} classes`}. Use --model ${task.task === 'regression' ? 'linear' : 'softmax'}.`);
      hidden = [];
      loss = 'logistic';
      break;
    case 'softmax':
      if (task.task !== 'classification') throw new InvalidOptionError(`Model 'softmax' needs class labels; the data has a numeric target. Use --model linear.`);
      hidden = [];
      loss = lossFor();
      break;
    case 'mlp': {
      // Every comma-separated entry must be a width: `mlp:8,,4` is a typo, not a two-layer MLP.
      const parts = (rest ?? '').split(',');
      hidden = parts.map((s) => (/^\s*\d+\s*$/.test(s) ? Number(s) : NaN));
      if (hidden.some((w) => !Number.isInteger(w) || w < 1)) {
        throw new InvalidOptionError(`Model spec '${spec}': an MLP needs positive integer hidden widths, e.g. mlp:256 or mlp:256,128.`);
      }
      loss = lossFor();
      break;
    }
    case 'cnn': {
      if (task.task !== 'classification') throw new InvalidOptionError(`Model spec '${spec}': a cnn: model classifies images; the data has a numeric target.`);
      ({ stem: cnn, dense: hidden } = parseCnnSpec(spec, inputs, o.image));
      loss = lossFor();
      break;
    }
    default:
      throw new InvalidOptionError(`Unknown model '${spec}'. Use linear, logistic, softmax, mlp:W1,W2,… (e.g. mlp:256,128) or cnn:… (e.g. cnn:c16k5,p2,c32k5,p2,f128).`);
  }
  const drop = o.dropout ?? 0;
  const dropout = Array.isArray(drop) ? drop : hidden.map(() => drop);
  if (dropout.length !== hidden.length) throw new InvalidOptionError(`--dropout gives ${dropout.length} values for ${hidden.length} hidden layers: give one value, or one per hidden layer.`);
  for (const p of dropout) if (!(p >= 0 && p < 1)) throw new InvalidOptionError(`The 'dropout' option must be a number in [0, 1). Got ${p} instead.`);
  const arch: Architecture = { widths: [inputs, ...hidden, outputs], activation, loss, dropout, ...(cnn ? { cnn } : {}) };
  const params = countParams(arch).total;
  if (params > MAX_PARAMS) {
    throw new InvalidOptionError(`Model spec '${spec}' has ${params.toLocaleString('en-US')} parameters on ${inputs} features; l2lab trains at most ${MAX_PARAMS.toLocaleString('en-US')}. Use smaller widths in --model, e.g. mlp:256.`);
  }
  return arch;
}

/** A one-line name of an architecture for console output, e.g. `softmax` or `mlp 784-256-10 relu dropout 0.2`. */
export function describeArchitecture(a: Architecture): string {
  if (a.onnx) return describeImported(a.onnx);
  if (a.cnn) return `${describeCnn(a.cnn, a.widths)} ${a.activation}${a.dropout.some((p) => p > 0) ? ` dropout ${a.dropout.join(',')}` : ''}`;
  const kind = a.widths.length === 2 ? { mse: 'linear', logistic: 'logistic', softmax_ce: 'softmax' }[a.loss] : `mlp ${a.widths.join('-')} ${a.activation}`;
  const drop = a.dropout.some((p) => p > 0) ? ` dropout ${a.dropout.join(',')}` : '';
  return `${kind}${drop}`;
}
