/** The CLI's progress renderer: a live line on a terminal, a plain line per finished trial elsewhere. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { clock, ProgressLine } from '../../src/cli/progress-line.js';

function sink(tty: boolean) {
  const out: string[] = [];
  return { out, sink: { write: (t: string) => void out.push(t), tty } };
}

test('not a terminal: one plain line per trial with done/total, λ, loss, elapsed and ETA; a resumed run says what the store held', () => {
  const { out, sink: s } = sink(false);
  const p = new ProgressLine(s);
  p.onProgress({ kind: 'stored', fromStore: 2, done: 2, total: 6, elapsed: 0 });
  p.onProgress({ kind: 'epoch', lambda: 0.1, dropout: 0, fold: 0, epoch: 1, elapsed: 1 });
  p.onProgress({ kind: 'trial', lambda: 4.641588833612779, dropout: 0, state: 'COMPLETE', value: 0.123456, done: 3, total: 6, elapsed: 11 });
  p.onProgress({ kind: 'trial', lambda: 10, dropout: 0, state: 'FAIL', value: null, done: 4, total: 6, elapsed: 21 });
  p.onProgress({ kind: 'trial', lambda: 100, dropout: 0, state: 'PRUNED', value: 0.58113, done: 5, total: 6, elapsed: 26 });
  p.end();
  // Trained since elapsed 1: 10 s a trial, two trials left after the second → ETA 0:20.
  assert.deepEqual(out, [
    '2 trials read from the study store\n',
    'trial 3/6: λ = 4.642, val loss 0.1235 (0:11 elapsed, ETA 0:30)\n',
    'trial 4/6: λ = 10, failed (0:21 elapsed, ETA 0:20)\n',
    // A pruned trial is not a failure: it says so, with the best loss it showed.
    'trial 5/6: λ = 100, pruned at val loss 0.5811 (0:26 elapsed, ETA 0:08)\n',
  ]);
  assert.ok(out.every((l) => !l.includes('\r')));
});

test('a resumed run replaying one stored trial at a time says so in one line, and again only after training in between', () => {
  const { out, sink: s } = sink(false);
  const p = new ProgressLine(s);
  for (let i = 1; i <= 3; i++) p.onProgress({ kind: 'stored', fromStore: 1, done: i, total: 6, elapsed: 0 });
  p.onProgress({ kind: 'epoch', lambda: 1, dropout: 0, fold: 0, epoch: 1, elapsed: 0 });
  p.onProgress({ kind: 'trial', lambda: 1, dropout: 0, state: 'COMPLETE', value: 0.5, done: 4, total: 6, elapsed: 10 });
  p.onProgress({ kind: 'stored', fromStore: 1, done: 5, total: 6, elapsed: 10 });
  p.end();
  assert.deepEqual(out, ['3 trials read from the study store\n', 'trial 4/6: λ = 1, val loss 0.5 (0:10 elapsed, ETA 0:20)\n', '1 trial read from the study store\n']);
});

test('a terminal: the live line shows trials, λ, fold, epoch, elapsed and ETA, is rewritten in place and cleared at the end', () => {
  const { out, sink: s } = sink(true);
  const p = new ProgressLine(s);
  p.onProgress({ kind: 'stored', fromStore: 0, done: 0, total: 4, elapsed: 0 });
  p.onProgress({ kind: 'epoch', lambda: 0.01, dropout: 0, fold: 1, epoch: 7, elapsed: 2 });
  p.onProgress({ kind: 'trial', lambda: 0.01, dropout: 0, state: 'COMPLETE', value: 0.2, done: 1, total: 4, elapsed: 4 });
  p.end();
  const last = out[out.length - 2];
  assert.equal(last, '\r\x1b[2Ktrials 1/4 · λ 0.01 fold 2 · epoch 7 · 0:04 elapsed, ETA 0:06');
  assert.equal(out[out.length - 1], '\r\x1b[2K');
  assert.ok(out.every((l) => !l.includes('\n')));
});

test('clock writes m:ss and h:mm:ss', () => {
  assert.deepEqual([clock(0), clock(59.6), clock(61), clock(3725)], ['0:00', '1:00', '1:01', '1:02:05']);
});
