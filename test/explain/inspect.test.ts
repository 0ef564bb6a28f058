/** inspect(): init penalties against closed forms and Monte-Carlo, init data loss against measurement, decay algebra, conventions, and the CLI. */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { convertAll } from '../../src/conventions/index.js';
import { CONVENTION_IDS } from '../../src/options/names.js';
import { fromArrays, type Dataset } from '../../src/data/index.js';
import { L2labError } from '../../src/errors.js';
import { weightDecay, timescaleRange } from '../../src/explain/decay.js';
import { expectedLogSumExp } from '../../src/explain/gaussian.js';
import { expectedInitDataLoss, outputVariance } from '../../src/explain/init-loss.js';
import { expectedSumSquares, initMoments } from '../../src/explain/init-penalty.js';
import { ATLAS_CONVEX_SPAN, ATLAS_LAMBDA_STAR, ATLAS_SOURCE, ATLAS_TIMESCALE, CONVEX_IMAGES_SOURCE } from '../../src/explain/atlas-figures.js';
import { inspect } from '../../src/explain/inspect.js';
import { parseModelSpec } from '../../src/models/architecture.js';
import { initParams } from '../../src/models/init.js';
import { fit } from '../../src/train/fit.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

function close(actual: number, expected: number, rtol: number, what = ''): void {
  assert.ok(Math.abs(actual - expected) <= rtol * Math.abs(expected), `${what}: ${actual} is not within ${rtol} (relative) of ${expected}`);
}

/** mulberry32: a small, well-mixed 32-bit generator for the test's own data and Monte-Carlo draws. */
function mulberry32(seed: number): { uniform: () => number; normal: () => number } {
  let a = seed >>> 0;
  const uniform = (): number => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const normal = (): number => Math.sqrt(-2 * Math.log(1 - uniform())) * Math.cos(2 * Math.PI * uniform());
  return { uniform, normal };
}

/** n rows of d Gaussian features; labels cycle through `classes` (balanced), or a noisy linear target. */
function synthetic(n: number, d: number, classes: number | 'regression', seed = 1): Dataset {
  const r = mulberry32(seed);
  const x = Array.from({ length: n }, () => Array.from({ length: d }, () => r.normal()));
  if (classes === 'regression') return fromArrays({ x, y: x.map((row) => 3 + row[0] - 0.5 * row[1] + 0.3 * r.normal()) });
  return fromArrays({ x, y: x.map((_, i) => `c${i % classes}`) });
}

function mean(v: number[]): number {
  return v.reduce((a, b) => a + b, 0) / v.length;
}
function sd(v: number[]): number {
  const mu = mean(v);
  return Math.sqrt(v.reduce((a, b) => a + (b - mu) ** 2, 0) / (v.length - 1));
}

// A 4-3-5 softmax MLP on 100 rows, all of them training rows (m = 100).
const SMALL = synthetic(100, 4, 5);
const ALL_TRAIN = { validation: 0, test: 0 } as const;

describe('expected penalty at initialization: closed forms', () => {
  // Hand-computed for widths [4, 3, 5]: E‖W‖² = fan_in·fan_out·Var per layer.
  const cases = [
    { init: 'he', sumSq: 4 * 3 * (2 / 4) + 3 * 5 * (2 / 3), note: '2·(3 + 5) = 16' },
    { init: 'lecun', sumSq: 4 * 3 * (1 / 4) + 3 * 5 * (1 / 3), note: '3 + 5 = 8' },
    { init: 'glorot', sumSq: (4 * 3 * 2) / 7 + (3 * 5 * 2) / 8, note: '24/7 + 15/4' },
    { init: 'pytorch', sumSq: (4 * 3) / 12 + (3 * 5) / 9, note: '1 + 5/3' },
  ] as const;
  for (const c of cases) {
    it(`${c.init}: E‖W‖² = ${c.note}, penalty (λ/2m)·E‖W‖²`, async () => {
      const r = await inspect({ data: SMALL, model: 'mlp:3', lambda: 0.7, init: c.init, ...ALL_TRAIN });
      assert.equal(r.m, 100);
      assert.deepEqual([r.params, r.weights, r.biases, r.units, r.hidden_units, r.output_units], [4 * 3 + 3 + 3 * 5 + 5, 27, 8, 8, 3, 5]);
      close(r.expected_sum_sq, c.sumSq, 1e-12, 'E Σθ²');
      close(r.expected_init_penalty, (0.7 / 200) * c.sumSq, 1e-12, 'expected penalty');
      close(r.layers[0].expected_sum_sq + r.layers[2].expected_sum_sq, c.sumSq, 1e-12, 'per layer');
    });
  }

  it('He: the expected penalty is λ·units/m, whatever the parameter count', async () => {
    // Two models with 8 units each and very different parameter counts.
    const wide = synthetic(100, 400, 5);
    const a = await inspect({ data: SMALL, model: 'mlp:3', lambda: 2, ...ALL_TRAIN });
    const b = await inspect({ data: wide, model: 'mlp:3', lambda: 2, ...ALL_TRAIN, measureLimit: 0 });
    assert.ok(b.params > 20 * a.params);
    close(a.expected_init_penalty, (2 * 8) / 100, 1e-12, 'small');
    close(b.expected_init_penalty, (2 * 8) / 100, 1e-12, 'wide');
  });

  it('pytorch init with --penalize-biases adds E‖b‖² = fan_out/(3·fan_in)', async () => {
    const r = await inspect({ data: SMALL, model: 'mlp:3', lambda: 1, init: 'pytorch', penalizeBiases: true, ...ALL_TRAIN });
    close(r.expected_sum_sq, 1 + 5 / 3 + 3 / 12 + 5 / 9, 1e-12, 'weights + biases');
  });

  it('spread over seeds: Var Σw² = n·2v² (normal) and n·0.8v² (uniform), hand-computed', () => {
    const arch = parseModelSpec('mlp:3', 4, { task: 'classification', classes: 5 });
    // He: layer 0 has n = 12, v = 1/2; layer 1 n = 15, v = 2/3.
    close(expectedSumSquares(initMoments(arch, 'he')).sd, Math.sqrt(12 * 2 * 0.25 + 15 * 2 * (4 / 9)), 1e-12, 'he sd');
    // PyTorch: v = 1/12 and 1/9.
    close(expectedSumSquares(initMoments(arch, 'pytorch')).sd, Math.sqrt(12 * 0.8 / 144 + 15 * 0.8 / 81), 1e-12, 'pytorch sd');
  });

  it('the measured value is the one `l2lab train` starts from', async () => {
    const r = await inspect({ data: 'breast-cancer', model: 'mlp:32', lambda: 3, seed: 4 });
    const f = await fit({ data: 'breast-cancer', model: 'mlp:32', lambda: 3, seed: 4, epochs: 0 });
    assert.equal(r.m, f.report.m);
    close(r.measured_init_penalty!, f.report.init.penalty, 1e-6, 'penalty');
    close(r.measured_init_data_loss!, f.report.init.data_loss, 1e-5, 'data loss (float64 here, float32 in train)');
  });

  it('skips the measured part above the measure limit, with a note; a 35M-parameter model costs nothing', async () => {
    const t0 = performance.now();
    const r = await inspect({ data: 'breast-cancer', model: 'mlp:5900,5900', lambda: 0.01 });
    assert.ok(performance.now() - t0 < 10_000);
    assert.equal(r.params, 30 * 5900 + 5900 + 5900 * 5900 + 5900 + 5900 + 1);
    assert.equal(r.measured_init_penalty, null);
    assert.equal(r.measured_init_data_loss, null);
    assert.match(r.measured_note!, /35,004,701 parameters exceed the measure limit of 10,000,000/);
    close(r.expected_init_penalty, (0.01 / (2 * r.m)) * 2 * (5900 + 5900 + 1), 1e-12, 'He: (λ/2m)·2·units');
  });
});

describe('expected penalty at initialization: Monte-Carlo over seeds', () => {
  for (const init of ['he', 'glorot', 'pytorch'] as const) {
    it(`${init}: the mean measured penalty over 60 seeds is within 4 standard errors of the expected one`, async () => {
      const values: number[] = [];
      let expected = 0;
      let sdExpected = 0;
      const data = synthetic(60, 30, 3);
      for (let seed = 0; seed < 60; seed++) {
        const r = await inspect({ data, model: 'mlp:40,20', lambda: 5, init, seed, penalizeBiases: init === 'pytorch', ...ALL_TRAIN });
        values.push(r.measured_init_penalty!);
        expected = r.expected_init_penalty;
        sdExpected = r.init_penalty_sd;
      }
      const se = sdExpected / Math.sqrt(values.length);
      assert.ok(Math.abs(mean(values) - expected) < 4 * se, `mean ${mean(values)} vs expected ${expected} ± ${se}`);
      // The spread matches the closed form too (sample sd of 60 draws: ±~20% at 2σ).
      close(sd(values), sdExpected, 0.3, 'sd over seeds');
    });
  }

  it('initParams with 2,000 seeds: E Σw² and its spread per initializer', () => {
    const arch = parseModelSpec('mlp:16', 8, { task: 'classification', classes: 2 });
    for (const init of ['he', 'lecun', 'glorot', 'pytorch'] as const) {
      const { mean: mu, sd: s } = expectedSumSquares(initMoments(arch, init));
      const v: number[] = [];
      for (let seed = 0; seed < 2000; seed++) {
        const p = initParams(arch, init, seed);
        let t = 0;
        for (const i of [0, 2]) for (const w of p[i]) t += w * w;
        v.push(t);
      }
      assert.ok(Math.abs(mean(v) - mu) < 4 * (s / Math.sqrt(v.length)), `${init}: mean ${mean(v)} vs ${mu}`);
      close(sd(v), s, 0.1, `${init} sd`);
    }
  });

  it('a 784×256 He layer spreads over seeds as the closed form says (no short cycle in the generator)', () => {
    const arch = parseModelSpec('mlp:256', 784, { task: 'classification', classes: 10 });
    const layer = initMoments(arch, 'he')[0];
    const v: number[] = [];
    for (let seed = 0; seed < 40; seed++) {
      let t = 0;
      for (const w of initParams(arch, 'he', seed)[0]) t += w * w;
      v.push(t);
    }
    close(sd(v), layer.sdSumSq, 0.35, 'sd over seeds');
    assert.ok(new Set(initParams(arch, 'he', 0)[0]).size > 100_000, 'distinct weights');
  });
});

describe('expected data loss at initialization', () => {
  it('E log-sum-exp of i.i.d. N(0, s²) logits: ln C at s = 0, the small-s expansion, and Monte-Carlo', () => {
    assert.equal(expectedLogSumExp(0, 10), Math.log(10));
    close(expectedLogSumExp(0.05, 10), Math.log(10) + 0.5 * 0.0025 * 0.9, 1e-6, 'small s');
    const r = mulberry32(7);
    for (const [s, C] of [
      [1, 10],
      [1.5, 2],
      [3, 4],
    ]) {
      const N = 100_000;
      const draws: number[] = [];
      for (let i = 0; i < N; i++) {
        const z = Array.from({ length: C }, () => s * r.normal());
        const mx = Math.max(...z);
        draws.push(mx + Math.log(z.reduce((a, b) => a + Math.exp(b - mx), 0)));
      }
      const se = sd(draws) / Math.sqrt(N);
      const e = expectedLogSumExp(s, C);
      assert.ok(Math.abs(mean(draws) - e) < 4 * se, `s = ${s}, C = ${C}: integral ${e} vs Monte-Carlo ${mean(draws)} ± ${se}`);
    }
  });

  it('ReLU: the output variance doubles back to 2·‖x‖²/d per layer under He (hand-computed)', () => {
    const arch = parseModelSpec('mlp:10,10', 5, { task: 'regression' });
    // q1 = (2/5)·‖x‖²; q2 = (2/10)·10·q1/2 = q1; q3 = q2.
    close(outputVariance(arch, 'he', 7), (2 / 5) * 7, 1e-12, 'He');
    // LeCun halves it at every ReLU layer: q1 = ‖x‖²/5, q2 = q1/2, q3 = q1/4.
    close(outputVariance(arch, 'lecun', 7), 7 / 5 / 4, 1e-12, 'LeCun');
  });

  for (const [label, classes, model] of [
    ['balanced 4 classes, softmax', 4, 'mlp:64'],
    ['balanced binary, logistic', 2, 'mlp:64'],
    ['regression, squared error (exact for ReLU)', 'regression', 'mlp:64'],
  ] as const) {
    it(`${label}: the mean measured init loss over 40 seeds matches the expected one`, async () => {
      const data = synthetic(200, 12, classes, 3);
      const values: number[] = [];
      let expected = 0;
      let zero = 0;
      for (let seed = 0; seed < 40; seed++) {
        const r = await inspect({ data, model, lambda: 1, seed, ...ALL_TRAIN });
        values.push(r.measured_init_data_loss!);
        expected = r.expected_init_data_loss;
        zero = r.zero_output_data_loss;
      }
      const se = sd(values) / Math.sqrt(values.length);
      // 4 standard errors, plus 2% for the mean-field (Gaussian-logit) approximation of the classifiers.
      assert.ok(Math.abs(mean(values) - expected) < 4 * se + 0.02 * expected, `mean ${mean(values)} ± ${se} vs expected ${expected}`);
      assert.ok(expected > zero, 'the loss of zero outputs is a lower bound');
      if (classes !== 'regression') close(zero, Math.log(classes), 1e-12, 'ln C');
    });
  }

  it('regression: ½·mean y² for zero outputs; the expectation adds ½·E ŷ²', () => {
    const data = synthetic(50, 3, 'regression');
    const arch = parseModelSpec('linear', 3, { task: 'regression' });
    const e = expectedInitDataLoss(arch, 'he', data);
    let y2 = 0;
    let x2 = 0;
    for (let i = 0; i < 50; i++) {
      y2 += data.y[i] ** 2;
      for (let j = 0; j < 3; j++) x2 += data.x[i * 3 + j] ** 2;
    }
    close(e.zeroOutput, (0.5 * y2) / 50, 1e-9, 'zero');
    // Linear, He: Var ŷ = (2/3)·‖x‖².
    close(e.expected, 0.5 * (y2 / 50 + ((2 / 3) * x2) / 50), 1e-9, 'expected');
  });
});

describe('cnn: models at initialization', () => {
  /** n smooth 10×10×2 images (two low-frequency waves per channel, as neighbouring pixels of natural images are alike), 3 balanced classes. */
  function images(n: number, seed: number): Dataset {
    const r = mulberry32(seed);
    const x = Array.from({ length: n }, () => {
      const waves = Array.from({ length: 4 }, () => [r.normal(), 0.2 + 0.4 * r.uniform(), 0.2 + 0.4 * r.uniform(), 6 * r.uniform()]);
      return Array.from({ length: 200 }, (_, p) => {
        const [i, j, c] = [Math.floor(p / 20), Math.floor(p / 2) % 10, p % 2];
        return waves.slice(2 * c, 2 * c + 2).reduce((s, [a, f, g, phase]) => s + a * Math.sin(f * i + g * j + phase), 0.1 * r.normal());
      });
    });
    return { ...fromArrays({ x, y: x.map((_, i) => `c${i % 3}`) }), image: { height: 10, width: 10, channels: 2 } };
  }
  const image = { height: 10, width: 10, channels: 2 };

  it('penalty: a conv weight has fan-in k·k·C_in, E Σw² = Σ fan_in·fan_out·Var (He: 2·Σ fan_out), and 300 seeds of initParams agree', () => {
    const arch = parseModelSpec('cnn:c4k3,bn,p2,c6k3v,f8', 200, { task: 'classification', classes: 3 }, { image });
    const moments = initMoments(arch, 'he');
    // 10×10×2 → c4k3 (same) 10×10×4 → p2 5×5×4 → c6k3v 3×3×6 → f8 → 3.
    assert.deepEqual(moments.filter((l) => l.kind === 'weight').map((l) => [l.fanIn, l.fanOut]), [[18, 4], [36, 6], [54, 8], [8, 3]]);
    const { mean: mu, sd: s } = expectedSumSquares(moments);
    close(mu, 2 * (4 + 6 + 8 + 3), 1e-12, 'He: 2·Σ fan_out');
    const v: number[] = [];
    for (let seed = 0; seed < 300; seed++) v.push(initParams(arch, 'he', seed).reduce((t, p, i) => (moments[i].kind === 'weight' ? t + p.reduce((a, w) => a + w * w, 0) : t), 0));
    assert.ok(Math.abs(mean(v) - mu) < 4 * (s / Math.sqrt(v.length)), `mean ${mean(v)} vs ${mu}`);
    close(sd(v), s, 0.15, 'sd over seeds');
  });

  it('output variance through convolutions, hand-computed: a valid conv over the whole image, and zero padding at the borders', () => {
    const x = [1, -2, 0.5, 3, 0, -1, 2, 1, -0.5];
    const norm = x.reduce((a, b) => a + b * b, 0);
    const task = { task: 'classification', classes: 3 } as const;
    const tiny = { height: 3, width: 3, channels: 1 };
    // The same image twice (a classification set needs two classes): the mean over rows is that image's q.
    const rows = { ...fromArrays({ x: [x, x], y: ['a', 'b'] }), image: tiny };
    // c2k3v sees the whole 3×3 image: q1 = (2/9)·‖x‖², then the output layer (fan-in 2) q = (2/2)·2·(q1/2) = q1.
    const valid = parseModelSpec('cnn:c2k3v', 9, task, { image: tiny });
    close(outputVariance(valid, 'he', norm), (2 / 9) * norm, 1e-12, 'an MLP recursion would give the same here');
    close(expectedInitDataLoss(valid, 'he', rows).outputVariance, (2 / 9) * norm, 1e-12, 'valid');
    // 'same': pixel (i, j) lies in r_i·r_j of the 9 windows, r = [2, 3, 2]; q1 = (2/9)·Σ x²·r_i·r_j / 9; the output
    // layer reads 3·3·2 = 18 ReLU units: q = (2/18)·18·q1/2 = q1.
    const r = [2, 3, 2];
    const covered = x.reduce((a, v, p) => a + v * v * r[Math.floor(p / 3)] * r[p % 3], 0);
    const same = parseModelSpec('cnn:c2k3', 9, task, { image: tiny });
    close(expectedInitDataLoss(same, 'he', rows).outputVariance, ((2 / 9) * covered) / 9, 1e-12, 'same');
  });

  for (const model of ['cnn:c4k3,f16', 'cnn:c4k3,bn,p2,c6k3v,a2,f16,ln']) {
    it(`${model}: the mean measured init loss over 40 seeds matches the expected one`, async () => {
      const data = images(120, 5);
      const values: number[] = [];
      let expected = 0;
      for (let seed = 0; seed < 40; seed++) {
        const r = await inspect({ data, model, lambda: 1, seed, ...ALL_TRAIN });
        values.push(r.measured_init_data_loss!);
        expected = r.expected_init_data_loss;
      }
      const se = sd(values) / Math.sqrt(values.length);
      // 4 standard errors, plus 3% for the mean field (Gaussian logits; pools read as leaving E a² unchanged).
      assert.ok(Math.abs(mean(values) - expected) < 4 * se + 0.03 * expected, `mean ${mean(values)} ± ${se} vs expected ${expected}`);
    });
  }
});

describe('shrink factor and timescale', () => {
  it('seed, SGD: 1 − ηλ/m per step, (1 − ηλ/m)^(m/B) per epoch ≈ exp(−ηλ/B), τ = B/(ηλ) epochs', () => {
    // λ = 0.01, m = 1000, B = 100, η = 0.1: ηλ/m = 1e-6, 10 steps per epoch, τ = 1e6 steps = 1e5 epochs.
    const d = weightDecay({ coupled: 0.01 / 1000, decoupled: 0 }, 'coupled', { m: 1000, batchSize: 100, lr: 0.1, optimizer: 'sgd' });
    close(d.ratePerStep!, 1e-6, 1e-12, 'rate');
    close(1 - d.shrinkPerStep!, 1e-6, 1e-9, 'shrink per step');
    assert.equal(d.stepsPerEpoch, 10);
    close(d.shrinkPerEpoch!, (1 - 1e-6) ** 10, 1e-15, 'per epoch');
    close(d.shrinkPerEpochApprox!, Math.exp(-0.1 * 0.01 / 100), 1e-15, 'exp(−ηλ/B)');
    close(d.timescaleSteps!, 1e6, 1e-12, 'τ steps');
    close(d.timescaleEpochs!, 100 / (0.1 * 0.01), 1e-12, 'τ epochs = B/(ηλ)');
  });

  it('a partial last batch is dropped: τ uses ⌊m/B⌋ steps per epoch', () => {
    // m = 1050, B = 100: 10 steps per epoch; λ = 2 → ηλ/m = 0.2/1050.
    const d = weightDecay({ coupled: 2 / 1050, decoupled: 0 }, 'coupled', { m: 1050, batchSize: 100, lr: 0.1, optimizer: 'sgd' });
    assert.equal(d.stepsPerEpoch, 10);
    close(d.timescaleEpochs!, 1050 / 0.2 / 10, 1e-12, 'τ epochs');
    close(d.shrinkPerEpochApprox!, Math.exp(-0.1 * 2 / 100), 1e-12, 'exp(−ηλ/B)');
  });

  it('momentum multiplies a coupled decay by 1/(1 − μ); decoupled decay is η·wd under any optimizer; Adam with coupled L2 is unknown', () => {
    const ctx = { m: 1000, batchSize: 100, lr: 0.1 } as const;
    const mom = weightDecay({ coupled: 1e-5, decoupled: 0 }, 'coupled', { ...ctx, optimizer: 'momentum', momentum: 0.9 });
    close(mom.ratePerStep!, 1e-5, 1e-12, 'η/(1−μ)·c');
    const adamw = weightDecay({ coupled: 0, decoupled: 0.01 }, 'decoupled', { ...ctx, lr: 1e-3, optimizer: 'adamw' });
    close(adamw.ratePerStep!, 1e-5, 1e-12, 'η·wd');
    const adam = weightDecay({ coupled: 1e-5, decoupled: 0 }, 'coupled', { ...ctx, optimizer: 'adam' });
    assert.equal(adam.shrinkPerStep, null);
    assert.equal(adam.timescaleEpochs, null);
    assert.equal(timescaleRange(adam, { m: 1000, epochs: 20 }), undefined);
  });

  it('λ = 0: shrink 1, infinite timescale (null in JSON)', async () => {
    const r = await inspect({ data: SMALL, model: 'softmax', lambda: 0, ...ALL_TRAIN });
    assert.equal(r.shrink_per_step, 1);
    assert.equal(r.timescale_epochs, null);
    assert.equal(r.expected_init_penalty, 0);
    assert.equal(r.suggested_lambda_range?.given, 'weaker');
  });

  it('inspect: the numbers for the actual m, and the suggested range hits τ = T and τ = 1 epoch at its ends', async () => {
    const r = await inspect({ data: SMALL, model: 'mlp:3', lambda: 40, lr: 0.05, batchSize: 20, epochs: 25, ...ALL_TRAIN });
    // m = 100, B = 20: 5 steps per epoch; ηλ/m = 0.02; τ = B/(ηλ) = 10 epochs, inside [1, 25].
    close(r.shrink_per_step!, 0.98, 1e-12, 'per step');
    close(r.shrink_per_epoch!, 0.98 ** 5, 1e-12, 'per epoch');
    close(r.shrink_per_epoch_approx!, Math.exp(-0.05 * 40 / 20), 1e-12, 'exp(−ηλ/B)');
    close(r.timescale_epochs!, 20 / (0.05 * 40), 1e-12, 'B/(ηλ)');
    close(r.penalty_gradient_coefficient, 40 / 100, 1e-12, 'λ/m');
    const s = r.suggested_lambda_range!;
    assert.equal(s.heuristic, true);
    assert.match(s.rule, /constant-timescale rule.*Wang & Aitchison/);
    close(s.seed_low, 20 / (0.05 * 25), 1e-12, 'τ = T at the low end: λ = B/(ηT)');
    close(s.seed_high, 20 / 0.05, 1e-12, 'τ = 1 epoch at the high end: λ = B/η');
    close(s.middle, 20 / (0.05 * Math.sqrt(25)), 1e-12, 'τ = √T in the middle');
    assert.equal(s.given, 'inside');
  });

  it('the range in another convention is the same decay: pytorch wd = λ/m, and C = 1/λ reverses the ends', async () => {
    const seed = await inspect({ data: SMALL, model: 'mlp:3', lambda: 4, ...ALL_TRAIN });
    const torch = await inspect({ data: SMALL, model: 'mlp:3', lambda: 0.04, convention: 'pytorch', ...ALL_TRAIN });
    close(torch.lambda_seed, 4, 1e-12, 'λ_seed');
    close(torch.expected_init_penalty, seed.expected_init_penalty, 1e-12, 'same penalty');
    close(torch.timescale_epochs!, seed.timescale_epochs!, 1e-12, 'same timescale');
    close(torch.suggested_lambda_range!.low, seed.suggested_lambda_range!.seed_low / 100, 1e-12, 'wd low');
    const c = await inspect({ data: SMALL, model: 'mlp:3', lambda: 0.25, convention: 'sklearn-logistic', ...ALL_TRAIN });
    close(c.suggested_lambda_range!.low, 1 / seed.suggested_lambda_range!.seed_high, 1e-12, 'C low = 1/λ high');
    assert.ok(c.suggested_lambda_range!.low < c.suggested_lambda_range!.high);
  });
});

describe('the starting range from the default atlas', () => {
  const csv = (file: string, report = ATLAS_SOURCE): Record<string, string>[] => {
    const [head, ...lines] = readFileSync(resolve(ROOT, report, file), 'utf8').trim().split('\n');
    const split = (l: string) => l.match(/("[^"]*"|[^,]*)(,|$)/g)!.map((c) => c.replace(/,$/, '').replace(/^"|"$/g, ''));
    const keys = split(head);
    return lines.map((l) => Object.fromEntries(split(l).map((v, i) => [keys[i], v])));
  };

  it('its figures are the shipped atlas report’s: the timescale fit, its held-out hits, and each dataset’s λ* span', () => {
    const fit = csv('heuristics.csv').find((r) => r.heuristic === 'timescale')!;
    assert.match(fit.reading, new RegExp(`≈ ${ATLAS_TIMESCALE.k} × T`));
    assert.equal(Number(fit.fitted_cells), ATLAS_TIMESCALE.cells);
    const held = csv('heldout.csv').filter((r) => r.heuristic === 'timescale' && r.held_out === 'setting');
    assert.equal(held.length, ATLAS_TIMESCALE.cells);
    const within = (x: number) => held.filter((r) => Math.abs(Number(r.log10_ratio)) <= Math.log10(x) + 1e-9).length / held.length;
    close(within(2), ATLAS_TIMESCALE.within2, 0.01, 'within ×2');
    close(within(10), ATLAS_TIMESCALE.within10, 0.01, 'within ×10');
    const gridCells = (report: string) => csv('cells.csv', report).filter((r) => r.strategy === 'grid' && r.status === 'done');
    const cells = gridCells(ATLAS_SOURCE);
    const convex = (r: Record<string, string>) => ['linear', 'logistic', 'softmax'].includes(r.model);
    for (const [dataset, kinds] of Object.entries(ATLAS_LAMBDA_STAR)) {
      for (const [kind, star] of Object.entries(kinds)) {
        const ours = gridCells(star.source ?? ATLAS_SOURCE).filter((r) => r.dataset === dataset && convex(r) === (kind === 'convex')).map((r) => Number(r.lambda_seed));
        assert.equal(ours.length, star.cells, `${dataset} ${kind}`);
        close(Math.min(...ours), star.seedLow, 0.01, `${dataset} ${kind} lowest λ*`);
        close(Math.max(...ours), star.seedHigh, 0.01, `${dataset} ${kind} highest λ*`);
      }
    }
    const allConvex = [...cells, ...gridCells(CONVEX_IMAGES_SOURCE)].filter(convex).map((r) => Number(r.lambda_seed));
    assert.equal(allConvex.length, ATLAS_CONVEX_SPAN.cells);
    close(Math.min(...allConvex), ATLAS_CONVEX_SPAN.seedLow, 0.01, 'convex lowest');
    close(Math.max(...allConvex), ATLAS_CONVEX_SPAN.seedHigh, 0.01, 'convex highest');
  });

  it('an MLP gets the trained regime: τ ≈ 0.96·T at the planned epochs, ×10 each way, and its dataset’s λ* span', async () => {
    const r = await inspect({ data: SMALL, model: 'mlp:3', lambda: 40, lr: 0.05, optimizer: 'momentum', momentum: 0.9, batchSize: 20, epochs: 25, ...ALL_TRAIN });
    const a = r.atlas_lambda_range!;
    assert.equal(a.regime, 'trained');
    // m = 100, B = 20: S = 5 steps per epoch; η_eff = η/(1 − μ) = 0.5; λ = m/(η_eff·0.96·T·S) = 100/(0.5·0.96·25·5).
    close(a.seed_middle!, 100 / (0.5 * 0.96 * 25 * 5), 1e-12, 'τ = 0.96·T');
    close(a.seed_low, a.seed_middle! / 10, 1e-12, 'low');
    close(a.seed_high, a.seed_middle! * 10, 1e-12, 'high');
    assert.match(a.rule, /τ ≈ 0\.96·T .*69%.*96%.*docs\/atlas-default/);
    assert.equal(a.dataset_range, null, 'a synthetic dataset is not in the atlas');
    const bc = await inspect({ data: 'breast-cancer', model: 'mlp:16', lambda: 1, convention: 'pytorch' });
    assert.deepEqual(bc.atlas_lambda_range!.dataset_range, { dataset: 'breast-cancer', seed_low: 0.316, seed_high: 3.16, cells: 12, over: 'mlp:16/64/256, m = 100 and 400' });
    close(bc.atlas_lambda_range!.low, bc.atlas_lambda_range!.seed_low / bc.m, 1e-12, 'in PyTorch units: wd = λ/m');
    // Adam with coupled L2 has no known decay rate: the dataset's measured span, or nothing outside the atlas.
    const adam = await inspect({ data: 'breast-cancer', model: 'mlp:16', lambda: 1, optimizer: 'adam' });
    assert.deepEqual([adam.atlas_lambda_range!.seed_low, adam.atlas_lambda_range!.seed_high, adam.atlas_lambda_range!.seed_middle], [0.316, 3.16, null]);
    assert.equal((await inspect({ data: SMALL, model: 'mlp:3', lambda: 1, optimizer: 'adam', ...ALL_TRAIN })).atlas_lambda_range, null);
  });

  it('a convex model gets the exact regime: the measured λ* span, its dataset’s when the atlas has it', async () => {
    const wine = await inspect({ data: 'wine', model: 'softmax', lambda: 1 });
    assert.deepEqual([wine.atlas_lambda_range!.regime, wine.atlas_lambda_range!.seed_low, wine.atlas_lambda_range!.seed_high], ['exact', 3.16e-6, 0.0316]);
    assert.match(wine.atlas_lambda_range!.rule, /solved exactly/);
    const other = await inspect({ data: SMALL, model: 'softmax', lambda: 1, ...ALL_TRAIN });
    assert.deepEqual([other.atlas_lambda_range!.seed_low, other.atlas_lambda_range!.seed_high, other.atlas_lambda_range!.dataset_range], [1e-8, 3.16, null]);
    const digits = await inspect({ data: 'mnist-10k', model: 'softmax', lambda: 1 });
    assert.deepEqual([digits.atlas_lambda_range!.regime, digits.atlas_lambda_range!.seed_low, digits.atlas_lambda_range!.seed_high], ['exact', 0.316, 3.16]);
    assert.match(digits.atlas_lambda_range!.rule, /4 convex cells in the convex-images atlas, solved exactly \(docs\/atlas-convex-images\)/);
  });
});

describe('conversions and warnings', () => {
  it('conversions are convertAll with m, B and η, one per convention', async () => {
    const r = await inspect({ data: SMALL, model: 'mlp:3', lambda: 2, batchSize: 25, lr: 0.2, ...ALL_TRAIN });
    const ref = convertAll(2, 'seed', { m: 100, batchSize: 25, lr: 0.2, optimizer: 'sgd' });
    assert.deepEqual(r.conversions.map((c) => c.to), [...CONVENTION_IDS]);
    for (const [i, c] of r.conversions.entries()) {
      const e = ref[i];
      assert.equal(c.value, e.ok ? e.conversion.value : null, c.to);
    }
    close(r.conversions.find((c) => c.to === 'keras')!.value!, 2 / 200, 1e-12, 'keras l = λ/(2m)');
    close(r.conversions.find((c) => c.to === 'sklearn-mlp')!.value!, (2 * 25) / 100, 1e-12, 'α = λ·B/m');
  });

  it('warns when the penalty dominates, and not otherwise', async () => {
    const big = await inspect({ data: SMALL, model: 'mlp:3', lambda: 100, ...ALL_TRAIN });
    assert.ok(big.penalty_dominates);
    assert.ok(big.warnings.some((w) => /penalty dominates/.test(w)));
    const small = await inspect({ data: SMALL, model: 'mlp:3', lambda: 0.01, ...ALL_TRAIN });
    assert.ok(!small.penalty_dominates);
    assert.ok(!small.warnings.some((w) => /penalty dominates/.test(w)));
  });

  it('bad input: clear errors', async () => {
    const rejects = async (o: Parameters<typeof inspect>[0], pattern: RegExp) => {
      await assert.rejects(inspect(o), (e: unknown) => e instanceof L2labError && pattern.test(e.message));
    };
    await rejects({ data: SMALL, model: 'mlp:3', lambda: -1 }, /'lambda' option of inspect must be a number in \[0, ∞\).*Got -1/);
    await rejects({ data: SMALL, model: 'mlp:3', lambda: 0, convention: 'sklearn-logistic' }, /'lambda' option of inspect must be a number in \(0, ∞\)/);
    await rejects({ data: SMALL, model: 'mlp:x', lambda: 1 }, /positive integer hidden widths/);
    await rejects({ data: SMALL, model: 'mlp:3', lambda: 1, batchSize: 500, ...ALL_TRAIN }, /larger than the training split \(m = 100/);
    await rejects({ data: SMALL, model: 'mlp:3', lambda: 1, lr: 0 }, /'lr' option of inspect/);
    await rejects({ data: SMALL, model: 'mlp:3', lambda: 1, epochs: 0 }, /'epochs' option of inspect/);
    await rejects({ data: 'no-such-dataset', model: 'mlp:3', lambda: 1 }, /no-such-dataset/);
  });
});

describe('l2lab inspect (CLI)', () => {
  function l2lab(...args: string[]): { code: number | null; stdout: string; stderr: string } {
    const r = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'inspect', ...args], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
    return { code: r.status, stdout: r.stdout, stderr: r.stderr };
  }

  it('--json on wine: the contract fields, consistent with each other', () => {
    const r = l2lab('--data', 'wine', '--model', 'mlp:16', '--lambda', '0.5', '--batch-size', '32', '--lr', '0.05', '--json');
    assert.equal(r.code, 0, r.stderr);
    const o = JSON.parse(r.stdout) as Record<string, unknown>;
    for (const key of ['params', 'weights', 'expected_init_penalty', 'measured_init_penalty', 'expected_init_data_loss', 'measured_init_data_loss', 'shrink_per_step', 'timescale_epochs', 'conversions', 'suggested_lambda_range']) {
      assert.ok(key in o, `missing ${key}`);
    }
    const m = o.m as number;
    assert.equal(o.params, 13 * 16 + 16 + 16 * 3 + 3);
    assert.equal(o.weights, 13 * 16 + 16 * 3);
    close(o.expected_init_penalty as number, (0.5 / (2 * m)) * 2 * (16 + 3), 1e-12, 'He: (λ/2m)·2·units');
    close(o.shrink_per_step as number, 1 - (0.05 * 0.5) / m, 1e-12, '1 − ηλ/m');
    close(o.timescale_epochs as number, 1 / ((0.05 * 0.5) / m) / Math.floor(m / 32), 1e-12, 'τ epochs');
    assert.equal(typeof o.measured_init_penalty, 'number');
    assert.equal(typeof o.measured_init_data_loss, 'number');
    assert.equal((o.conversions as unknown[]).length, CONVENTION_IDS.length);
    const range = o.suggested_lambda_range as Record<string, unknown>;
    assert.equal(range.heuristic, true);
    assert.ok((range.low as number) < (range.high as number));
  });

  it('prints a readable report on breast-cancer', () => {
    const r = l2lab('--data', 'breast-cancer', '--model', 'mlp:64', '--lambda', '20');
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /Parameters: 2,049 \(1,984 weights, 65 biases\); units: 65 \(64 hidden \+ 1 output\)/);
    assert.match(r.stdout, /penalty \(λ\/2m\)·Σθ²/);
    assert.match(r.stdout, /not on the number of parameters/);
    assert.match(r.stdout, /per step {4}1 − η·λ\/m = 0\.99/);
    assert.match(r.stdout, /Suggested starting range for λ, measured by the default atlas \(MLPs trained until λ acted\):/);
    assert.match(r.stdout, /λ ∈ \[6\.91, 691\] \(seed\); the rule's own seed λ 69\.1/);
    assert.match(r.stdout, /breast-cancer in the atlas: seed λ\* from 0\.316 to 3\.16 over 12 cells/);
    assert.match(r.stdout, /warning: the penalty dominates at initialization/);
    assert.equal(r.stderr, '');
  });

  it('errors: negative λ, unknown dataset, bad model spec, missing --lambda', () => {
    for (const [args, pattern] of [
      [['--data', 'wine', '--model', 'mlp:8', '--lambda', '-1'], /'lambda' option of inspect must be a number in \[0, ∞\)\. Got -1/],
      [['--data', 'no-such-set', '--model', 'mlp:8', '--lambda', '1'], /no-such-set/],
      [['--data', 'wine', '--model', 'mlp:0', '--lambda', '1'], /positive integer hidden widths/],
      [['--data', 'wine', '--model', 'mlp:8'], /needs --lambda/],
      [['--data', 'wine', '--model', 'mlp:8', '--lambda', '1', '--convention', 'tf'], /Unknown --convention 'tf'/],
    ] as const) {
      const r = l2lab(...args);
      assert.equal(r.code, 2, `${args.join(' ')}: ${r.stdout}`);
      assert.match(r.stderr, /^l2lab inspect: error: /);
      assert.match(r.stderr, pattern);
      assert.equal(r.stdout, '');
    }
  });
});
