/**
 * What a model is, whatever its kind (linear, logistic, softmax, MLP, CNN, an imported graph): layer
 * widths, activation, loss and dropout; and what a model spec is parsed against. Types only, below
 * every kind, so an imported graph can build an Architecture without importing the parser.
 */
import type { Activation } from '../options/names.js';
import type { ImportedNet } from '../onnx-import/net.js';
import type { CnnStem, ImageShape } from './cnn-spec.js';

/** mse: ½‖y − ŷ‖² per sample; logistic: binary cross-entropy on one logit; softmax_ce: multiclass cross-entropy. */
export type LossKind = 'mse' | 'logistic' | 'softmax_ce';

export interface Architecture {
  /** Layer widths, input first, output last: [d, h1, …, out]. */
  widths: number[];
  activation: Activation;
  loss: LossKind;
  /** Dropout probability after each hidden layer (length widths.length − 2); 0 = none. */
  dropout: number[];
  /** `cnn:` specs: the image, the convolutional layers before the dense ones, and normalization layers. */
  cnn?: CnnStem;
  /**
   * `--model net.onnx`: the imported graph (src/onnx-import). Its widths are [d, each Dropout's
   * width…, outputs] and `dropout` its Dropout ratios; `activation` is unused.
   */
  onnx?: ImportedNet;
}

export interface ModelSpecOptions {
  activation?: Activation;
  /** One probability for every hidden layer, or one per hidden layer (`cnn:`: per dense layer). */
  dropout?: number | number[];
  /** The dataset's image shape (IDX images); `cnn:` models need it. */
  image?: ImageShape;
  /** `--model net.onnx`: name patterns of initializers to penalize, or to leave free, besides the default (weights of rank ≥ 2 penalized). */
  penalize?: string[];
  exclude?: string[];
}

/** What the data says about the output: regression (1 target) or classification with C classes. */
export type TaskShape = { task: 'regression' } | { task: 'classification'; classes: number };
