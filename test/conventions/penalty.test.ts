/** penaltyCoefficients()/penaltyValue(): hand values, agreement with convert(), and what the exact flag promises in training. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { convert, penaltyCoefficients, penaltyValue, type ConversionContext } from '../../src/conventions/index.js';
import { CONVENTION_IDS } from '../../src/options/names.js';
import { assertClose, assertInvalid } from './helpers.js';

const CTX: ConversionContext = { m: 1000, batchSize: 100, lr: 0.1 };

describe('penaltyCoefficients', () => {
  it('matches the hand-computed coefficient of every convention (value 0.5, m = 1000, B = 100, lr = 0.1)', () => {
    const expected: Record<string, { coupled: number; decoupled: number }> = {
      seed: { coupled: 0.5 / 1000, decoupled: 0 }, // λ/m
      keras: { coupled: 1, decoupled: 0 }, // 2l
      pytorch: { coupled: 0.5, decoupled: 0 }, // wd
      adamw: { coupled: 0, decoupled: 0.5 }, // wd
      'keras-decoupled': { coupled: 0, decoupled: 0.5 }, // wd
      composer: { coupled: 0, decoupled: 5 }, // wd/lr
      'sklearn-mlp': { coupled: 0.005, decoupled: 0 }, // α/B
      'sklearn-ridge': { coupled: 0.0005, decoupled: 0 }, // α/m
      'sklearn-logistic': { coupled: 0.002, decoupled: 0 }, // 1/(C·m)
      glmnet: { coupled: 0.5, decoupled: 0 }, // λ_g
      bayes: { coupled: 0.0005, decoupled: 0 }, // δ/(β·m), β = 1
    };
    for (const id of CONVENTION_IDS) {
      const got = penaltyCoefficients(id, 0.5, CTX);
      assertClose(got.coupled, expected[id].coupled, 1e-12, `${id} coupled:`);
      assertClose(got.decoupled, expected[id].decoupled, 1e-12, `${id} decoupled:`);
    }
    assertClose(penaltyCoefficients('bayes', 0.5, { m: 1000, noisePrecision: 5 }).coupled, 1e-4);
  });

  it('every convention, given convert()’s value for the seed λ, applies the seed’s λ/m', () => {
    const ctx: ConversionContext = { ...CTX, noisePrecision: 3 };
    for (const lambda of [0.01, 2.5]) {
      for (const id of CONVENTION_IDS) {
        const v = convert(lambda, 'seed', id, ctx).value;
        const { coupled, decoupled } = penaltyCoefficients(id, v, ctx);
        assertClose(coupled + decoupled, lambda / 1000, 1e-12, `${id}:`);
      }
    }
  });

  it('asks for m, the batch size or lr only where the convention needs it', () => {
    assertInvalid(() => penaltyCoefficients('seed', 0.01), /^Computing the penalty coefficients of seed needs --m \(the training-set size m\): the per-weight coefficient is λ\/m\.$/);
    assertInvalid(() => penaltyCoefficients('sklearn-logistic', 1), /needs --m .*λ\/m, where λ = 1\/C/);
    assertInvalid(() => penaltyCoefficients('sklearn-mlp', 1e-4, { m: 10 }), /needs --batch-size .*λ\/m = α\/B/);
    assertInvalid(() => penaltyCoefficients('composer', 1e-4), /needs --lr/);
    assert.deepEqual(penaltyCoefficients('keras', 1e-4), { coupled: 2e-4, decoupled: 0 });
    assert.deepEqual(penaltyCoefficients('adamw', 1e-2), { coupled: 0, decoupled: 1e-2 });
  });

  it('rejects invalid values and unknown conventions', () => {
    assertInvalid(() => penaltyCoefficients('seed', -1, { m: 10 }), /'lambda'/);
    assertInvalid(() => penaltyCoefficients('sklearn-logistic', 0, { m: 10 }), /\(0, ∞\)/);
    assertInvalid(() => penaltyCoefficients('caffe', 1), /Unknown convention 'caffe'\. Known conventions: seed/);
  });
});

describe('penaltyValue', () => {
  it('is the penalty as each objective writes it, scaled per sample', () => {
    const S = 3;
    assertClose(penaltyValue('seed', 0.01, S, { m: 50_000 }), (0.01 / (2 * 50_000)) * S); // (λ/2m)·Σθ²
    assertClose(penaltyValue('keras', 1e-4, S), 1e-4 * S); // l·Σθ²
    assertClose(penaltyValue('sklearn-mlp', 1e-4, S, { batchSize: 200 }), (1e-4 / 2) * (S / 200)); // (α/2)·Σθ²/B
    assertClose(penaltyValue('sklearn-ridge', 2, S, { m: 100 }), (2 * S) / (2 * 100)); // (α·‖w‖²)/(2m)
    assertClose(penaltyValue('sklearn-logistic', 4, S, { m: 100 }), (0.5 * S) / (4 * 100)); // (½‖w‖²)/(C·m)
    assertClose(penaltyValue('glmnet', 0.2, S), 0.1 * S); // (λ_g/2)·‖β‖²
    assertClose(penaltyValue('adamw', 0.2, S), 0.1 * S); // coupled equivalent (wd/2)·Σθ²
  });

  it('its derivative in θ is coupled·θ (finite differences)', () => {
    const theta = [0.3, -1.2, 2];
    const sq = (t: number[]): number => t.reduce((s, x) => s + x * x, 0);
    for (const id of CONVENTION_IDS) {
      const value = id === 'sklearn-logistic' ? 2 : 0.7;
      const { coupled, decoupled } = penaltyCoefficients(id, value, CTX);
      for (let j = 0; j < theta.length; j++) {
        const h = 1e-5;
        const up = theta.map((x, k) => (k === j ? x + h : x));
        const down = theta.map((x, k) => (k === j ? x - h : x));
        const fd = (penaltyValue(id, value, sq(up), CTX) - penaltyValue(id, value, sq(down), CTX)) / (2 * h);
        assertClose(fd, (coupled + decoupled) * theta[j], 1e-6, `${id} ∂/∂θ${j}:`);
      }
    }
  });

  it('rejects an invalid sum of squares', () => {
    assertInvalid(() => penaltyValue('keras', 1, -1), /'sumSquaredWeights' option of penaltyValue must be a number in \[0, ∞\)/);
    assertInvalid(() => penaltyValue('keras', 1, Number.NaN), /Got NaN/);
  });
});

/** A quadratic mean loss ½·Σ aⱼ(θⱼ − tⱼ)² and its gradient, for training simulations. */
const A = [1, 30, 0.05];
const T = [1, -2, 3];
const grad = (theta: number[]): number[] => theta.map((x, j) => A[j] * (x - T[j]));

type Step = (theta: number[], state: { m: number[]; v: number[]; t: number }) => number[];

function train(step: Step, steps = 300): number[] {
  let theta = [0.5, 0.5, 0.5];
  const state = { m: [0, 0, 0], v: [0, 0, 0], t: 0 };
  for (let i = 0; i < steps; i++) theta = step(theta, state);
  return theta;
}

/** One SGD or Adam step with coupled coefficient c and decoupled coefficient wd (PyTorch's order: decay, then step). */
function stepper(kind: 'sgd' | 'adam', lr: number, c: number, wd: number): Step {
  return (theta, s) => {
    const g = grad(theta).map((gj, j) => gj + c * theta[j]);
    const decayed = theta.map((x) => x - lr * wd * x);
    if (kind === 'sgd') return decayed.map((x, j) => x - lr * g[j]);
    s.t += 1;
    const [b1, b2, eps] = [0.9, 0.999, 1e-8];
    return decayed.map((x, j) => {
      s.m[j] = b1 * s.m[j] + (1 - b1) * g[j];
      s.v[j] = b2 * s.v[j] + (1 - b2) * g[j] * g[j];
      const mHat = s.m[j] / (1 - b1 ** s.t);
      const vHat = s.v[j] / (1 - b2 ** s.t);
      return x - (lr * mHat) / (Math.sqrt(vHat) + eps);
    });
  };
}

describe('what the exact flag promises, in training', () => {
  const lambda = 50;
  const m = 100; // coefficient λ/m = 0.5
  const lr = 0.01;

  it('plain SGD: pytorch (coupled) and adamw (decoupled) values from convert() train identically — exact: true', () => {
    const conv = convert(lambda, 'seed', 'adamw', { m, optimizer: 'sgd' });
    assert.equal(conv.exact, true);
    const coupled = penaltyCoefficients('pytorch', convert(lambda, 'seed', 'pytorch', { m }).value).coupled;
    const decoupled = penaltyCoefficients('adamw', conv.value).decoupled;
    const a = train(stepper('sgd', lr, coupled, 0));
    const b = train(stepper('sgd', lr, 0, decoupled));
    a.forEach((x, j) => assertClose(b[j], x, 1e-10, `θ${j}:`));
  });

  it('Adam: the same pair ends somewhere else — exact: false', () => {
    const conv = convert(lambda, 'seed', 'adamw', { m, optimizer: 'adam' });
    assert.equal(conv.exact, false);
    const a = train(stepper('adam', lr, lambda / m, 0), 2000);
    const b = train(stepper('adam', lr, 0, conv.value), 2000);
    const gap = Math.max(...a.map((x, j) => Math.abs(x - b[j])));
    assert.ok(gap > 1e-2, `coupled and decoupled Adam should differ, gap ${gap}`);
  });

  it('Adam: coupled conventions (keras ↔ pytorch) still train identically — exact: true', () => {
    assert.equal(convert(1e-3, 'keras', 'pytorch', { optimizer: 'adam' }).exact, true);
    const viaKeras = penaltyCoefficients('keras', 0.25).coupled;
    const viaTorch = penaltyCoefficients('pytorch', convert(0.25, 'keras', 'pytorch').value).coupled;
    const a = train(stepper('adam', lr, viaKeras, 0));
    const b = train(stepper('adam', lr, viaTorch, 0));
    assert.deepEqual(a, b);
  });
});
