/** "λ below X had no time to act": the tune warning, the shaded plot, the --json fields, and tune's refusal of unstable λ. */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { inspect } from '../../src/explain/inspect.js';
import { noTimeToAct } from '../../src/tune/lambda-acted.js';
import { l2lab, scratch } from '../cli/helpers.js';

const dir = scratch('acted');

describe('noTimeToAct', () => {
  it('warns when most λ have τ > epochs, at X = λ·τ/N from the idle λ closest to acting', () => {
    const points = [0.01, 0.1, 1, 10].map((lambda) => ({ lambda, lambdaTimescaleEpochs: 640 / lambda, epochsTrained: 20 }));
    const w = noTimeToAct(points, 'seed')!;
    assert.equal(w.threshold, 32);
    assert.equal(w.side, 'below');
    assert.equal(w.count, 4);
    assert.match(w.message, /^λ below 32 had no time to act in 20 epochs/);
    assert.equal(noTimeToAct(points.map((p) => ({ ...p, epochsTrained: 1000 })), 'seed'), undefined, 'most λ acted');
    // sklearn-logistic's C = 1/λ: C above X had no time.
    const c = noTimeToAct([{ lambda: 10, lambdaTimescaleEpochs: 100, epochsTrained: 20 }], 'sklearn-logistic')!;
    assert.equal(c.side, 'above');
    assert.equal(c.threshold, 2);
  });
});

describe('inspect, before training', () => {
  it('says when λ will have no time to act in the planned epochs, and when its step is unstable', async () => {
    const r = await inspect({ data: 'breast-cancer', model: 'mlp:8', lambda: 1, optimizer: 'momentum', lr: 0.05, epochs: 8, measureLimit: 0 });
    assert.ok(r.lambda_timescale_epochs! > 8);
    assert.equal(r.lambda_acts, false);
    assert.ok(r.warnings.some((w) => /^λ = 1 will have no time to act in 8 epochs: its decay timescale τ = [\d.]+ epochs/.test(w) && /λ below [\d.]+ has no time to act in 8 epochs/.test(w)), r.warnings.join('\n'));
    const unstable = await inspect({ data: 'breast-cancer', model: 'mlp:8', lambda: 2e4, measureLimit: 0 });
    assert.ok(unstable.warnings.some((w) => /the penalty step is unstable: .*The largest safe λ is just below 7960/.test(w)), unstable.warnings.join('\n'));
  });
});

describe('tune on breast-cancer', () => {
  it('warns "λ below X had no time to act in N epochs", shades the plot, and its trials carry τ and converged', async () => {
    const base = ['tune', '--data', 'breast-cancer', '--model', 'mlp:4', '--log-range', '0.01:1:3', '--no-extend', '--epochs', '3', '--folds', '2', '--storage', path.join(dir, 'a.db')];
    const plot = path.join(dir, 'curve.svg');
    const text = await l2lab(...base, '--plot', plot);
    assert.equal(text.code, 0, text.stderr);
    assert.match(text.stdout, /warning: λ below [\d.]+ had no time to act in 3 epochs: 3 of 3 values tried/);
    assert.match(fs.readFileSync(plot, 'utf8'), /had no time to act in 3 epochs/);
    const json = await l2lab(...base, '--json');
    assert.equal(json.code, 0, json.stderr);
    const r = JSON.parse(json.stdout) as { study: string; trials: { lambda: number; lambda_timescale_epochs: number; converged: boolean; epochs_trained: number }[]; acted_warning: string };
    assert.equal(r.trials.length, 3);
    for (const t of r.trials) {
      assert.equal(typeof t.converged, 'boolean');
      assert.equal(t.epochs_trained, 3);
      // SGD, seed: τ ≈ B·(n/m_k)/(ηλ) ≫ 3 epochs for λ ≤ 1.
      assert.ok(t.lambda_timescale_epochs > 100 / t.lambda, `τ at λ = ${t.lambda}: ${t.lambda_timescale_epochs}`);
    }
    assert.match(r.acted_warning, /had no time to act/);
    const shown = path.join(dir, 'shown.svg');
    const show = await l2lab('show', r.study, '--storage', path.join(dir, 'a.db'), '--plot', shown);
    assert.equal(show.code, 0, show.stderr);
    assert.match(fs.readFileSync(shown, 'utf8'), /had no time to act in 3 epochs/, '`show --plot` shades it too');
  });

  it('refuses a range reaching past the stable step up front, naming the largest safe λ, and records no trial', async () => {
    const db = path.join(dir, 'b.db');
    const r = await l2lab('tune', '--data', 'breast-cancer', '--model', 'mlp:4', '--log-range', '1:100000:6', '--epochs', '2', '--storage', db);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /penalty step alone is unstable/);
    assert.match(r.stderr, /The largest safe λ is just below [\d.]+: give --log-range ending below it, or lower --lr/);
    const listed = await l2lab('studies', '--storage', db);
    assert.doesNotMatch(listed.stdout, /breast-cancer/, 'no study was created');
  });
});

describe('train --json', () => {
  it('carries lambda_timescale_epochs and converged', async () => {
    const r = await l2lab('train', '--data', 'wine', '--model', 'mlp:4', '--lambda', '2', '--epochs', '3', '--json');
    assert.equal(r.code, 0, r.stderr);
    const report = JSON.parse(r.stdout) as { lambda_timescale_epochs: number; converged: boolean; epochs: unknown[] };
    assert.equal(report.epochs.length, 3);
    assert.equal(report.converged, false);
    assert.ok(report.lambda_timescale_epochs > 3);
    const zero = JSON.parse((await l2lab('train', '--data', 'wine', '--model', 'mlp:4', '--lambda', '0', '--epochs', '1', '--json')).stdout) as { lambda_timescale_epochs: number | null };
    assert.equal(zero.lambda_timescale_epochs, null, 'no penalty: τ = ∞ is null');
  });
});
