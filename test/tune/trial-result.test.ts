/** The trial-result schema: one writer, one validating reader, a clear error for a newer store; and the one λ rule. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { StorageError, type Json } from '../../src/study/index.js';
import { chooseLambda } from '../../src/tune/choose-lambda.js';
import type { ConfigScore } from '../../src/tune/scoring/config-score.js';
import { readTrialResult, TRIAL_RESULT_VERSION, writeTrialResult } from '../../src/tune/trials/trial-result.js';

const score: ConfigScore = {
  config: { lambda: 0.1, dropout: 0 },
  folds: [
    { valLoss: 0.5, trainLoss: 0.4, valAccuracy: 0.8, epoch: 3, curve: [0.9, 0.6, NaN, 0.5] },
    { valLoss: 0.7, trainLoss: 0.3, epoch: 3, curve: [0.9, 0.8, 0.75, 0.7] },
  ],
  mean: 0.6,
  se: 0.1,
  trainMean: 0.35,
  params: [],
};

describe('trial result schema', () => {
  it('writes a versioned result that reads back typed, with non-finite values as null', () => {
    const json = JSON.parse(JSON.stringify(writeTrialResult(score, { refit: { lambda: 0.1, dropout: 0, epochs: 3, test_loss: 0.55 } }))) as Json;
    const r = readTrialResult(json)!;
    assert.equal(r.version, TRIAL_RESULT_VERSION);
    assert.equal(r.se, 0.1);
    assert.equal(r.train_mean, 0.35);
    assert.deepEqual(r.folds[0], { val_loss: 0.5, train_loss: 0.4, val_accuracy: 0.8, epoch: 3, curve: [0.9, 0.6, null, 0.5] });
    assert.equal(r.folds[1].val_accuracy, null);
    assert.equal(r.refit?.test_loss, 0.55);
  });

  it('reads a result stored before the schema had a version as version 1, and a trial without one as null', () => {
    const legacy = { se: null, train_mean: 0.2, folds: [{ val_loss: 0.3, train_loss: 0.2, val_accuracy: null, epoch: 1, curve: [0.5, 0.3] }] };
    assert.equal(readTrialResult(legacy)!.version, 1);
    assert.equal(readTrialResult(null), null);
  });

  it('refuses a store written by a newer l2lab, naming both versions and the fix', () => {
    assert.throws(
      () => readTrialResult({ version: TRIAL_RESULT_VERSION + 1, se: null }, 'trial 4'),
      (e: unknown) => e instanceof StorageError && new RegExp(`trial 4 was written by a newer l2lab \\(trial-result version ${TRIAL_RESULT_VERSION + 1}; this one reads up to ${TRIAL_RESULT_VERSION}\\)\\. Upgrade l2lab`).test(e.message),
    );
  });

  it('refuses a malformed result, naming the field', () => {
    assert.throws(() => readTrialResult({ se: 'big' }), (e: unknown) => e instanceof StorageError && /malformed 'se' field/.test(e.message));
    assert.throws(() => readTrialResult({ evidence: { lambda_seed: 'x' } }), (e: unknown) => e instanceof StorageError && /'evidence'/.test(e.message));
    assert.throws(() => readTrialResult([1, 2]), (e: unknown) => e instanceof StorageError && /not a JSON object/.test(e.message));
  });
});

describe('chooseLambda', () => {
  it('takes the best dropout, then λ_min and λ_1se on its curve (hand-computed)', () => {
    const pts = [
      { lambda: 0.01, dropout: 0, mean: 0.3, se: 0.02 },
      { lambda: 0.1, dropout: 0, mean: 0.28, se: 0.02 },
      { lambda: 1, dropout: 0, mean: 0.295, se: 0.02 },
      { lambda: 10, dropout: 0, mean: 0.4, se: 0.02 },
      { lambda: 0.1, dropout: 0.5, mean: 0.35, se: 0.01 },
    ];
    const c = chooseLambda(pts)!;
    // best 0.28 at λ = 0.1; threshold 0.30: λ = 1 (0.295) is the largest within it.
    assert.equal(c.lambdaMin, 0.1);
    assert.equal(c.lambda1se, 1);
    assert.equal(c.dropout, 0);
    assert.deepEqual(c.curve.map((p) => p.lambda), [0.01, 0.1, 1, 10]);
    assert.equal(c.candidates, 5);
  });

  it('uses only the highest rung, skips non-finite means, and is null when nothing finished', () => {
    const c = chooseLambda([
      { lambda: 1, dropout: 0, mean: 0.1, se: 0, rung: 0 },
      { lambda: 2, dropout: 0, mean: 0.5, se: 0, rung: 1 },
      { lambda: 3, dropout: 0, mean: 0.4, se: 0, rung: 1 },
      { lambda: 4, dropout: 0, mean: NaN, se: 0, rung: 1 },
    ])!;
    assert.equal(c.rung, 1);
    assert.equal(c.lambdaMin, 3);
    assert.equal(chooseLambda([{ lambda: 1, dropout: 0, mean: NaN, se: 0 }]), null);
  });
});
