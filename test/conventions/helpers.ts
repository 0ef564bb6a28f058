/** Shared assertions for the conventions tests: relative closeness and error matching by class and message. */
import assert from 'node:assert/strict';
import { InvalidOptionError } from '../../src/errors.js';

/** |a − b| ≤ rel·max(|a|, |b|), or both zero. */
export function assertClose(actual: number, expected: number, rel = 1e-12, what = ''): void {
  const scale = Math.max(Math.abs(actual), Math.abs(expected));
  assert.ok(Math.abs(actual - expected) <= rel * scale, `${what} expected ${expected}, got ${actual}`);
}

/** The call throws an InvalidOptionError whose message matches `pattern`. */
export function assertInvalid(fn: () => unknown, pattern: RegExp): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof InvalidOptionError, `expected InvalidOptionError, got ${String(e)}`);
    assert.equal(e.code, 'INVALID_OPTION');
    assert.match(e.message, pattern);
    return true;
  });
}
