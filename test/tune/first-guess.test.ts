/** bayes's first guess: the λ whose penalty timescale equals the epochs trained, against the closed forms per optimizer; clipped; none where τ is unknown. */

import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';

import { timescaleFirstGuess } from '../../src/tune/samplers/first-guess.js';
import { trialTimescale } from '../../src/tune/scoring/score.js';
import { createSetup } from '../../src/tune/setup.js';
import { bayesDesign, decadeFirst } from '../../src/tune/strategies/bayes.js';
import { tune } from '../../src/tune/tune.js';

const range = { lo: 0.01, hi: 1e4 };
const base = { data: 'breast-cancer', model: 'mlp:16', holdout: 0.2, seed: 1 };
const setupOf = (t: Record<string, unknown>) => createSetup(base, { lr: 0.1, batchSize: 32, epochs: 20, ...t });

/**
 * First-order closed forms of τ = T (docs/timescale.md): seed λ = m·k/(η·T·S), k = 1 (SGD), 1 − μ
 * (momentum), with m the hold-out split's training rows and S = ⌊n/B⌋ the steps an epoch takes: the
 * trainer steps over all n rows of the training part, masking the hold-out rows (see the last test).
 */
function closedForm(setup: ReturnType<typeof setupOf>, k: number): number {
  const m = setup.folds[0].train.length;
  const S = Math.floor(setup.train.n / setup.plan.batchSize);
  return (m * k) / (0.1 * 20 * S);
}

test('SGD: λ = m/(η·T·S), the λ whose timescale is the 20 epochs trained', () => {
  const setup = setupOf({ optimizer: 'sgd' });
  const g = timescaleFirstGuess(setup, range);
  assert.ok(g.lambda !== undefined);
  assert.ok(Math.abs(g.lambda / closedForm(setup, 1) - 1) < 0.005, `${g.lambda} vs ${closedForm(setup, 1)}`);
  assert.equal(g.epochs, 20);
  assert.match(g.source, /^first λ = \S+ from the constant-timescale rule \(τ = 20 epochs trained\)$/);
});

test('momentum 0.9: (1 − μ) times the SGD value; the batch size scales it', () => {
  const setup = setupOf({ optimizer: 'momentum', momentum: 0.9 });
  const g = timescaleFirstGuess(setup, range);
  assert.ok(g.lambda !== undefined);
  // The exact slow mode of the momentum recursion differs from the first-order (1 − μ) by about
  // μ·a/(1 − μ)² with a = η·λ/m ≈ 4.5e-4: 4% here, so the rule's λ sits a few percent below the closed form.
  assert.ok(g.lambda < closedForm(setup, 0.1) && g.lambda / closedForm(setup, 0.1) > 0.95, `${g.lambda} vs ${closedForm(setup, 0.1)}`);
  const wide = timescaleFirstGuess(createSetup(base, { lr: 0.1, batchSize: 64, epochs: 20, optimizer: 'momentum', momentum: 0.9 }), range);
  assert.ok(wide.lambda !== undefined && Math.abs(wide.lambda / g.lambda - 2) < 0.1, `B = 64: ${wide.lambda}, B = 32: ${g.lambda}`);
});

test('Adam: decoupled decay (adamw convention) gives wd = 1/(S·η·T); coupled L2 has no first guess', () => {
  const setup = setupOf({ optimizer: 'adam', lr: 0.001, convention: 'adamw' });
  const g = timescaleFirstGuess(setup, { lo: 1e-6, hi: 10 });
  const S = Math.floor(setup.train.n / setup.plan.batchSize);
  assert.ok(g.lambda !== undefined);
  assert.ok(Math.abs(g.lambda / (1 / (S * 0.001 * 20)) - 1) < 0.005, `${g.lambda} vs ${1 / (S * 0.001 * 20)}`);

  const coupled = timescaleFirstGuess(setupOf({ optimizer: 'adam', lr: 0.001 }), range);
  assert.equal(coupled.lambda, undefined);
  assert.match((coupled as { reason: string }).reason, /adam divides a coupled penalty by √v̂/);
  // Without a guess, bayes opens as before: the space-filling points alone.
  const design = bayesDesign(setupOf({ optimizer: 'adam', lr: 0.001 }), range, 15);
  assert.equal(design.batches.length, 1);
  assert.equal(design.batches[0].length, 4);
  assert.match(design.note, /^no first guess: /);
});

test('clipped to the range, and said so', () => {
  const setup = setupOf({ optimizer: 'sgd' });
  const free = timescaleFirstGuess(setup, range);
  assert.ok(free.lambda !== undefined);
  const g = timescaleFirstGuess(setup, { lo: 0.01, hi: free.lambda / 10 });
  assert.ok(g.lambda !== undefined);
  assert.equal(g.lambda, free.lambda / 10);
  assert.ok(Math.abs(g.unclipped / free.lambda - 1) < 1e-9);
  assert.match(g.source, /clipped to the range/);
  const low = timescaleFirstGuess(setup, { lo: free.lambda * 10, hi: free.lambda * 1000 });
  assert.equal(low.lambda, free.lambda * 10);
});

test('deterministic, and bayes trains it first and alone; the exact solver keeps the space-filling design', () => {
  const setup = setupOf({ optimizer: 'momentum', momentum: 0.9 });
  const a = timescaleFirstGuess(setup, range);
  const b = timescaleFirstGuess(setupOf({ optimizer: 'momentum', momentum: 0.9 }), range);
  assert.deepEqual(a, b);
  const design = bayesDesign(setup, range, 15);
  const x0 = Math.log10(a.lambda!);
  assert.deepEqual(design.batches[0], [x0]);
  // Then ÷ 10, ÷ 3, × 3, × 10 of it (decadeFirst orders them once the first trial is in).
  assert.deepEqual(design.batches[1].map((x) => Number((10 ** (x - x0)).toPrecision(6))), [0.1, 0.333333, 3, 10]);
  assert.match(design.note, /^first λ = \S+ from the constant-timescale rule \(τ = 20 epochs trained\), then ×\/÷ 10 of it on the side its hold-out\/training gap points to, then the rest of ×\/÷ 3 and ×\/÷ 10$/);
  // Clipped at the range's end: the points beyond it collapse onto it, duplicates dropped.
  const lo = a.lambda! / 2;
  const [[e0], edge] = bayesDesign(setup, { lo, hi: 1e4 }, 15).batches;
  assert.equal(edge.length, 3);
  assert.equal(edge[0], Math.log10(lo));
  assert.deepEqual(edge.slice(1).map((x) => Number((10 ** (x - e0)).toPrecision(6))), [3, 10]);
  assert.deepEqual(bayesDesign(setup, range, 1).batches, [[Math.log10(a.lambda!)]]);

  const exact = createSetup({ data: 'breast-cancer', model: 'logistic', holdout: 0.2, seed: 1 }, {});
  assert.equal(exact.plan.solver, 'exact');
  const none = timescaleFirstGuess(exact, range);
  assert.equal(none.lambda, undefined);
  assert.equal(bayesDesign(exact, range, 15).batches.length, 1);
});

test('after the guess, the decade its hold-out/training gap points to trains alone, then the rest together', () => {
  const x0 = 0.5;
  const around = [x0 - 1, x0 - Math.log10(3), x0 + Math.log10(3), x0 + 1];
  // Hold-out loss 2× the training loss: overfitting, so × 10 first.
  assert.deepEqual(decadeFirst(around, x0, { mean: 0.2, trainMean: 0.1 }), [[x0 + 1], [x0 - 1, x0 - Math.log10(3), x0 + Math.log10(3)]]);
  // 1.2×: not overfitting, so ÷ 10 first.
  assert.deepEqual(decadeFirst(around, x0, { mean: 0.12, trainMean: 0.1 }), [[x0 - 1], [x0 - Math.log10(3), x0 + Math.log10(3), x0 + 1]]);
  // A failed first trial (no losses) goes down: a large λ·lr is what makes a step unstable.
  assert.deepEqual(decadeFirst(around, x0, { mean: NaN, trainMean: NaN })[0], [x0 - 1]);
  // At the range's top only smaller λ remain: nothing on the overfitting side, all together.
  const top = [x0 - 1, x0 - Math.log10(3)];
  assert.deepEqual(decadeFirst(top, x0, { mean: 0.3, trainMean: 0.1 }), [top]);
  // Clipped at the top: the farthest point on that side is the probe, whatever its distance.
  assert.deepEqual(decadeFirst([x0 - 1, x0 + 0.2], x0, { mean: 0.3, trainMean: 0.1 }), [[x0 + 0.2], [x0 - 1]]);
});

test("the τ the guess matches is the trainer's", async () => {
  const storage = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'l2lab-first-guess-')), 'study.db');
  const o = { ...base, optimizer: 'momentum' as const, momentum: 0.9, lr: 0.1, batchSize: 32, epochs: 1 };
  const r = await tune({ ...o, strategy: 'grid', lambdas: [3], extend: false, storage, study: 'tau' });
  const trained = r.trials[0].lambda_timescale_epochs!;
  assert.ok(Math.abs(trialTimescale(createSetup(o, o), 3) / trained - 1) < 1e-9, `trialTimescale ${trialTimescale(createSetup(o, o), 3)}, trainer ${trained}`);
});
