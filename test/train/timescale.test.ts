/**
 * The penalty's timescale τ and stability bounds (src/plan/timescale.ts) against the engine under a
 * pure penalty (zero features: the weights get no data gradient) and against the optimizers' update
 * rules iterated by hand; the convergence rule and `epochs: 'auto'` on real data.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { loadDataset } from '../../src/data/index.js';
import { InvalidOptionError } from '../../src/errors.js';
import { parseModelSpec } from '../../src/models/architecture.js';
import { hasConverged } from '../../src/train/convergence.js';
import { fit } from '../../src/train/fit.js';
import type { OptimizerSpec } from '../../src/plan/optimizer.js';
import { safeLambdaLimit } from '../../src/plan/penalty-limits.js';
import { prepareSplits } from '../../src/train/prepare.js';
import { lambdaTimescaleEpochs, penaltyStability } from '../../src/plan/timescale.js';
import { train, type PenaltyCoefficients } from '../../src/train/trainer.js';

const close = (a: number, b: number, rel: number, what: string) => assert.ok(Math.abs(a - b) <= rel * Math.abs(b), `${what}: ${a} vs ${b}`);

/**
 * One weight under the penalty alone, by the update rules as PyTorch writes them (src/plan/optimizer.ts),
 * independent of timescale.ts: g = c·θ; sgd θ −= η·g; momentum v = μv + g, θ −= η·v; nesterov
 * θ −= η·(g + μ·v); every optimizer then θ −= η·d·θ (applied to the pre-step θ, as the engine does).
 */
function simulate(o: OptimizerSpec, lr: number, p: PenaltyCoefficients, theta0: number, steps: number): number {
  const mu = o.momentum ?? 0.9;
  let theta = theta0;
  let v = 0;
  for (let t = 0; t < steps; t++) {
    const g = p.coupled * theta;
    const decay = lr * p.decoupled * theta;
    if (o.name === 'sgd') theta = theta - lr * g - decay;
    else {
      v = mu * v + g;
      theta = theta - lr * (o.name === 'nesterov' ? g + mu * v : v) - decay;
    }
  }
  return theta;
}

// 64 rows of zeros: a linear model's weights get no data gradient, only the penalty's.
const ZERO_ROWS = { n: 64, d: 3, x: new Float32Array(64 * 3), y: new Float32Array(64) };
const LINEAR = parseModelSpec('linear', 3, { task: 'regression' });
const B = 8;
const STEPS = ZERO_ROWS.n / B;

async function pureDecay(optimizer: OptimizerSpec, lr: number, penalty: PenaltyCoefficients, epochs: number) {
  const r = await train(ZERO_ROWS, undefined, { arch: LINEAR, members: [{ penalty, lr }], epochs, batchSize: B, optimizer, dtype: 'float64', threads: 1 });
  return r.members[0];
}

describe('τ under a pure penalty', () => {
  const cases: { optimizer: OptimizerSpec; penalty: PenaltyCoefficients; lr: number }[] = [
    { optimizer: { name: 'sgd' }, penalty: { coupled: 0.01, decoupled: 0 }, lr: 0.1 },
    { optimizer: { name: 'momentum', momentum: 0.9 }, penalty: { coupled: 0.01, decoupled: 0 }, lr: 0.1 },
    { optimizer: { name: 'nesterov', momentum: 0.9 }, penalty: { coupled: 0.01, decoupled: 0 }, lr: 0.1 },
    { optimizer: { name: 'momentum', momentum: 0.9 }, penalty: { coupled: 0, decoupled: 0.01 }, lr: 0.1 },
    { optimizer: { name: 'adamw' }, penalty: { coupled: 0, decoupled: 0.01 }, lr: 0.1 },
  ];
  for (const c of cases) {
    const label = `${c.optimizer.name}, ${c.penalty.coupled > 0 ? 'coupled' : 'decoupled'}`;
    it(`${label}: the engine follows the update rule, and the measured decay gives lambda_timescale_epochs`, async () => {
      const E = 40;
      const m = await pureDecay(c.optimizer, c.lr, c.penalty, E);
      const tau = lambdaTimescaleEpochs({ optimizer: c.optimizer, lr: c.lr, ...c.penalty }, STEPS);
      close(m.lambdaTimescaleEpochs, tau, 1e-12, 'reported τ');
      // The engine's weights equal the hand-iterated rule (float64).
      const init = (await pureDecay(c.optimizer, c.lr, c.penalty, 0)).params[0];
      for (let j = 0; j < init.length; j++) close(m.params[0][j], simulate(c.optimizer, c.lr, c.penalty, init[j], E * STEPS), 1e-9, `weight ${j}`);
      // Σθ² falls as e^(−2/τ) per epoch once the momentum transient has died out (epochs 20 → 40).
      const ss = (e: number) => m.history[e].sum_sq;
      const measured = (-2 * 20) / Math.log(ss(40) / ss(20));
      close(measured, tau, c.optimizer.name === 'sgd' || c.optimizer.name === 'adamw' ? 1e-9 : 1e-3, 'measured τ');
    });
  }

  it('to first order: sgd B/(ηλ), momentum (1 − μ)·B/(ηλ), AdamW 1/(S·η·wd)', () => {
    const m = 1000;
    const lambda = 0.5;
    const step = (optimizer: OptimizerSpec) => lambdaTimescaleEpochs({ optimizer, lr: 0.05, coupled: lambda / m, decoupled: 0 }, m / 100);
    close(step({ name: 'sgd' }), 100 / (0.05 * lambda), 1e-3, 'sgd');
    close(step({ name: 'momentum', momentum: 0.9 }), (0.1 * 100) / (0.05 * lambda), 5e-3, 'momentum');
    close(step({ name: 'nesterov', momentum: 0.9 }), (0.1 * 100) / (0.05 * lambda), 5e-3, 'nesterov');
    close(lambdaTimescaleEpochs({ optimizer: { name: 'adamw' }, lr: 1e-3, coupled: 0, decoupled: 0.01 }, 10), 1 / (10 * 1e-3 * 0.01), 1e-3, 'adamw');
    assert.equal(lambdaTimescaleEpochs({ optimizer: { name: 'sgd' }, lr: 0.1, coupled: 0, decoupled: 0 }, 10), Infinity);
    assert.ok(Number.isNaN(lambdaTimescaleEpochs({ optimizer: { name: 'adam' }, lr: 0.1, coupled: 0.01, decoupled: 0 }, 10)), 'Adam coupled needs √v̂');
    // Adam with coupled L2: the coefficient is divided by √v̂ + ε, τ ≈ B·(√v̂ + ε)/(ηλ).
    close(lambdaTimescaleEpochs({ optimizer: { name: 'adam' }, lr: 1e-3, coupled: lambda / m, decoupled: 0, adamDenominator: 0.02 }, m / 100), (100 * 0.02) / (1e-3 * lambda), 1e-3, 'adam');
  });

  it('Adam with coupled L2 reports τ from its second moment after training', async () => {
    const { report } = await fit({ data: 'wine', model: 'mlp:4', lambda: 1, optimizer: 'adam', epochs: 3, threads: 1 });
    assert.ok(Number.isFinite(report.lambda_timescale_epochs) && report.lambda_timescale_epochs! > 0, String(report.lambda_timescale_epochs));
  });
});

describe('stability bound of the penalty step', () => {
  const mu = 0.9;
  const bounds: { optimizer: OptimizerSpec; which: 'coupled' | 'decoupled'; bound: number }[] = [
    { optimizer: { name: 'sgd' }, which: 'coupled', bound: 2 },
    { optimizer: { name: 'momentum', momentum: mu }, which: 'coupled', bound: 2 * (1 + mu) },
    { optimizer: { name: 'nesterov', momentum: mu }, which: 'coupled', bound: (2 * (1 + mu)) / (1 + 2 * mu) },
    { optimizer: { name: 'momentum', momentum: mu }, which: 'decoupled', bound: 2 },
    { optimizer: { name: 'adamw' }, which: 'decoupled', bound: 2 },
  ];
  for (const b of bounds) {
    it(`${b.optimizer.name} (${b.which}): η·coefficient < ${b.bound.toFixed(4)}; the engine trains just below it and refuses just above`, async () => {
      const lr = 0.5;
      const at = (x: number): PenaltyCoefficients => (b.which === 'coupled' ? { coupled: x / lr, decoupled: 0 } : { coupled: 0, decoupled: x / lr });
      close(penaltyStability({ optimizer: b.optimizer, lr, ...at(1) }).maxScale, b.bound, 1e-9, 'closed-form bound');
      if (b.optimizer.name !== 'adamw') {
        // The update rule itself: shrinks just below the bound, grows just above (20,000 steps).
        assert.ok(Math.abs(simulate(b.optimizer, lr, at(b.bound * 0.99), 1, 20_000)) < 1e-3, 'below the bound the weight decays');
        assert.ok(!(Math.abs(simulate(b.optimizer, lr, at(b.bound * 1.01), 1, 20_000)) <= 1e3), 'above the bound the weight blows up (or overflows)');
      }
      const below = await pureDecay(b.optimizer, lr, at(b.bound * 0.99), 30);
      assert.ok(below.history[30].sum_sq < 0.01 * below.history[0].sum_sq, `engine at 0.99 × bound decays: ${below.history[30].sum_sq}`);
      await assert.rejects(pureDecay(b.optimizer, lr, at(b.bound * 1.01), 1), (e: Error) => e instanceof InvalidOptionError && /unstable/.test(e.message));
    });
  }

  it('Adam with coupled L2 has no bound: the normalization keeps a huge penalty bounded', async () => {
    assert.equal(penaltyStability({ optimizer: { name: 'adam' }, lr: 0.1, coupled: 1e6, decoupled: 0 }).maxScale, Infinity);
    const m = await pureDecay({ name: 'adam' }, 0.1, { coupled: 1e6, decoupled: 0 }, 20);
    const maxAbs = (p: Float64Array) => Math.max(...Array.from(p, Math.abs));
    const init = (await pureDecay({ name: 'adam' }, 0.1, { coupled: 1e6, decoupled: 0 }, 0)).params[0];
    // Each Adam step moves a weight by about η at most: after 160 steps it sits within a few η of 0.
    assert.ok(maxAbs(m.params[0]) <= Math.max(maxAbs(init), 0.5), `bounded: ${maxAbs(m.params[0])}`);
  });

  it('fit refuses λ past the bound up front, naming the largest safe λ and lr (the issue\'s breast-cancer example)', async () => {
    const limit = safeLambdaLimit('seed', { m: 410, batchSize: 128, lr: 0.1, optimizer: 'sgd' }, { name: 'sgd' })!;
    close(limit.value, 8200, 1e-9, 'η·λ/m < 2 at η = 0.1, m = 410');
    await assert.rejects(fit({ data: 'breast-cancer', model: 'logistic', lambda: 2e4, epochs: 1 }), (e: Error) => {
      assert.ok(e instanceof InvalidOptionError);
      assert.match(e.message, /Use λ below 7960, the largest safe λ, or keep it and use --lr below 0\.0398/);
      return true;
    });
    // sklearn-logistic's C = 1/λ: the limit is a smallest C.
    const c = safeLambdaLimit('sklearn-logistic', { m: 410, batchSize: 128, lr: 0.1, optimizer: 'sgd' }, { name: 'sgd' })!;
    assert.equal(c.side, 'min');
    close(c.value, 1 / 8200, 1e-9, 'smallest safe C');
  });
});

describe('converged and epochs auto', () => {
  it('breast-cancer logistic at λ = 100: stops at the first epoch the rule holds, τ as reported', async () => {
    const { report } = await fit({ data: 'breast-cancer', model: 'logistic', lambda: 100, epochs: 'auto', threads: 1 });
    const costs = [report.init.data_loss + report.init.penalty, ...report.epochs.map((e) => e.cost)];
    const n = report.epochs.length;
    assert.equal(report.converged, true);
    assert.ok(n > 10 && n < 200, `stopped after ${n} epochs`);
    assert.ok(costs[n - 10] - costs[n] < 1e-3 * costs[n - 10], 'rule holds at the last epoch');
    assert.equal(hasConverged(costs.slice(0, n)), false, 'and not one epoch earlier');
    // seed λ under SGD: τ = −1/(S·ln(1 − ηλ/m)), S = ⌊m/B⌋.
    close(report.lambda_timescale_epochs!, -1 / (Math.floor(report.m / 128) * Math.log(1 - (0.1 * 100) / report.m)), 1e-12, 'τ');
  });

  it('a fixed budget reports converged by the same rule', async () => {
    const { report } = await fit({ data: 'breast-cancer', model: 'logistic', lambda: 1e-3, epochs: 12, threads: 1 });
    assert.equal(report.epochs.length, 12);
    assert.equal(report.converged, false, 'λ = 1e-3 is still far from its minimizer after 12 epochs');
    assert.ok(report.lambda_timescale_epochs! > 1e5);
  });

  it('in a population, each member stops at its own convergence epoch with the parameters it would have alone', async () => {
    const data = loadDataset('wine');
    const { train: rows } = prepareSplits(data, { validation: 0, test: 0.2, seed: 0 });
    const arch = parseModelSpec('softmax', data.d, { task: 'classification', classes: 3 });
    const members = [3, 30].map((lambda) => ({ penalty: { coupled: lambda / rows.n, decoupled: 0 }, lr: 0.1 }));
    const opts = { arch, epochs: 'auto' as const, maxEpochs: 150, batchSize: 16, dtype: 'float64' as const, threads: 1 };
    const together = await train(rows, undefined, { ...opts, members, population: true });
    const lengths = together.members.map((m) => m.history.length - 1);
    assert.ok(lengths[0] !== lengths[1], `the members converge at different epochs: ${lengths}`);
    for (const [k, member] of members.entries()) {
      const alone = (await train(rows, undefined, { ...opts, members: [member] })).members[0];
      assert.equal(together.members[k].converged, true);
      assert.equal(together.members[k].history.length, alone.history.length, `member ${k} epochs`);
      together.members[k].params.forEach((p, i) => p.forEach((v, j) => close(v, alone.params[i][j], 1e-9, `member ${k} param ${i}[${j}]`)));
    }
  });
});

describe('τ under Adam on a net with BatchNorm', () => {
  it('the median √v̂ is taken over the penalized weights only: running statistics have no optimizer state, scales and shifts no penalty', async () => {
    // 16 random 6×6 one-channel images, two classes.
    const n = 16;
    let s = 7;
    const rand = () => ((s = (s * 1103515245 + 12345) % 2 ** 31) / 2 ** 31) - 0.5;
    const rows = { n, d: 36, x: Float32Array.from({ length: n * 36 }, rand), y: Float32Array.from({ length: n }, (_, i) => i % 2) };
    const arch = parseModelSpec('cnn:c2k3,bn,p2,f4', 36, { task: 'classification', classes: 2 }, { image: { height: 6, width: 6, channels: 1 } });
    const r = await train(rows, undefined, { arch, members: [{ penalty: { coupled: 0.01, decoupled: 0 }, lr: 1e-3 }], epochs: 2, batchSize: 8, optimizer: { name: 'adam' }, threads: 1 });
    const tau = r.members[0].lambdaTimescaleEpochs;
    assert.ok(Number.isFinite(tau) && tau > 0, `τ = ${tau}`);
  });
});
