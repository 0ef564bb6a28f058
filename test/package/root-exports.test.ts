/** The package root exports what a library user needs to catch the study store's errors and to report an atlas run. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { analyzeAtlas, AtlasSpecError, openStorage, parseAtlasSpec, StorageError, TrialNotOwnedError } from '../../src/index.js';

test('a study store error is catchable by the class the root exports', async () => {
  const storage = await openStorage(':memory:');
  try {
    const { value: study } = await storage.createStudy('s', { strategy: { kind: 'grid' }, data: 'wine', model: 'softmax', convention: 'seed' });
    const { value: waiting } = await storage.createTrial(study.id, { lambda: 1 });
    await assert.rejects(storage.finishTrial(waiting.id, 'COMPLETE', { value: 1 }), (e: unknown) => e instanceof TrialNotOwnedError && e instanceof StorageError);
  } finally {
    await storage.close();
  }
});

test('analyzeAtlas gives writeAtlasReport its analysis from the root; a bad spec throws the exported AtlasSpecError', () => {
  const spec = parseAtlasSpec({ name: 't', datasets: [{ name: 'wine', testRows: 60 }], models: ['softmax'], m: [60], seeds: [0], training: { batchSize: 16 }, validation: { folds: 3 }, lambda: { lo: 0.01, hi: 100, n: 5 }, strategies: ['grid'] });
  const analysis = analyzeAtlas({ spec, cells: [] });
  assert.equal(analysis.reference, 'grid');
  assert.deepEqual(analysis.points, []);
  assert.throws(() => parseAtlasSpec({ name: 't', datasets: [] }), AtlasSpecError);
});
