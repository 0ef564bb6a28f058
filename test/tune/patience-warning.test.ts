/** "λ_min trained N epochs where early stopping ended its neighbours after M": the --patience warning, by itself, from tune and show, and from best() over the user's loop's reports. */
import assert from 'node:assert/strict';
import path from 'node:path';
import { describe, it } from 'node:test';
import { openLambdaService } from '../../src/ask/service.js';
import type { StudyContext } from '../../src/ask/protocol.js';
import { longerTrainingWarning } from '../../src/tune/patience-warning.js';
import { CONTEXT, handed } from '../ask/protocol.js';
import { l2lab, scratch } from '../cli/helpers.js';

const dir = scratch('patience');

/** fashion-4k seed 1's grid under --patience 3 (bench/cache): λ = 5.62 trained 13 epochs, every λ near it 7. */
const grid = [-2, -1, 0, 0.25, 0.5, 0.75, 1, 1.25, 2].map((e) => ({ lambda: 10 ** e, epochsTrained: e === 0.75 ? 13 : 7 }));

describe('longerTrainingWarning', () => {
  it('warns when λ_min trained ≥ 1.5× the median of its neighbours within half a decade, which stopped before the budget', () => {
    const w = longerTrainingWarning(grid, grid[5], 3, 20)!;
    assert.match(w, /^λ_min = 5\.62 trained 13 epochs where early stopping \(--patience 3\) ended its neighbours \(λ 1\.78–17\.8\) after 7 of 20: it may have won by training longer, not by its λ/);
    assert.match(w, /A longer --patience \(6 or more\)/);
  });

  it('is silent when the neighbours trained as long, when they ran the budget, and with fewer than two neighbours', () => {
    // A λ that holds overfitting off trains longer with the λ around it (breast-cancer: λ 3–178 trained 6–18 epochs, λ ≤ 1 stopped after 5).
    const trend = grid.map((p) => ({ ...p, epochsTrained: p.lambda > 1 && p.lambda < 100 ? 12 : 5 }));
    assert.equal(longerTrainingWarning(trend, trend[5], 3, 20), undefined);
    assert.equal(longerTrainingWarning(grid, grid[5], 3, 7), undefined, 'the neighbours trained the whole budget');
    const sparse = [grid[0], grid[5], grid[8]];
    assert.equal(longerTrainingWarning(sparse, sparse[1], 3, 20), undefined, 'no neighbour within half a decade');
  });
});

describe('tune --patience on breast-cancer', () => {
  const args = (seed: number) => ['tune', '--data', 'breast-cancer', '--model', 'mlp:8', '--optimizer', 'momentum', '--momentum', '0.9', '--lr', '0.1', '--epochs', '20', '--batch-size', '32',
    '--holdout', '0.2', '--patience', '3', '--log-range', '0.01:10000:13', '--no-extend', '--seed', String(seed), '--storage', path.join(dir, `s${seed}.db`)];

  it('warns when λ_min ran on past the λ beside it (seed 23: λ = 10 trained 17 epochs, 3.16 and 31.6 stopped after 6 and 11)', async () => {
    const text = await l2lab(...args(23));
    assert.equal(text.code, 0, text.stderr);
    assert.match(text.stdout, /warning: λ_min = 10 trained 17 epochs where early stopping \(--patience 3\) ended its neighbours \(λ 3\.16–31\.6\) after 8\.5 of 20/);
    const json = await l2lab(...args(23), '--json');
    const r = JSON.parse(json.stdout) as { study: string; best_lambda: number; patience_warning?: string; trials: { lambda: number; epochs_trained: number }[] };
    assert.ok(Math.abs(r.best_lambda - 10) < 1e-9, String(r.best_lambda));
    assert.equal(r.trials.find((t) => t.lambda === r.best_lambda)!.epochs_trained, 17);
    assert.match(r.patience_warning!, /may have won by training longer/);
    const show = await l2lab('show', r.study, '--storage', path.join(dir, 's23.db'));
    assert.equal(show.code, 0, show.stderr);
    assert.ok(show.stdout.includes(`warning: ${r.patience_warning}`), 'show repeats it from the stored trials');
  });

  it('says nothing where the λ around λ_min trained as long (seed 4: λ 10–100 trained 12 epochs, the small λ 4–7)', async () => {
    const json = await l2lab(...args(4), '--json');
    assert.equal(json.code, 0, json.stderr);
    const r = JSON.parse(json.stdout) as { best_lambda: number; patience_warning?: string; trials: { lambda: number; epochs_trained: number }[] };
    assert.ok(Math.abs(r.best_lambda - 10) < 1e-9, String(r.best_lambda));
    assert.equal(r.trials.find((t) => t.lambda === r.best_lambda)!.epochs_trained, 12);
    assert.equal(r.patience_warning, undefined);
  });
});

describe("best() over the user's own loop", () => {
  const DECAYS = [0, 1, 2, 3, 4].map((k) => 10 ** (-4 + k / 4));
  /** Five weight decays a quarter-decade apart, 20 epochs planned; the middle one's trial reports `long` epochs, the others 6, and its loss ends lowest. */
  async function study(long: number) {
    const context: StudyContext = { ...CONTEXT, strategy: 'grid', lambdas: DECAYS, epochs: 20 };
    const s = await openLambdaService({ storage: ':memory:' });
    for (let i = 0; i < 5; i++) {
      const t = handed(await s.ask('own', i === 0 ? { context } : {}));
      const epochs = t.value === DECAYS[2] ? long : 6;
      for (let e = 1; e <= epochs; e++) await s.report('own', { trial: t.trial, epoch: e, val_loss: 0.6 - 0.01 * e });
      await s.tell('own', { trial: t.trial, val_loss: 0.6 - 0.01 * epochs });
    }
    const best = await s.best('own');
    await s.close();
    return best;
  }

  it('warns when λ_min reported ≥ 1.5× the epochs of its neighbours, which stopped before the budget, in the seed convention', async () => {
    const best = await study(12);
    assert.equal(best.value, DECAYS[2]);
    const w = best.warnings?.find((x) => x.includes('trained longer')) ?? best.warnings?.[0];
    // weight_decay 3.16e-4 with m = 6400 is λ = 2.02 in the seed convention; its neighbours 1e-4 … 1e-3 are 0.64 … 6.4.
    assert.match(w ?? '', /^λ_min = 2\.02 trained 12 epochs where early stopping ended its neighbours \(λ 0\.64–6\.4\) after 6 of 20: it may have won by training longer/);
    assert.match(w!, /A longer patience in your loop's early stopping/);
  });

  it('says nothing when λ_min trained as its neighbours did', async () => {
    assert.equal((await study(7)).warnings, undefined);
  });
});
