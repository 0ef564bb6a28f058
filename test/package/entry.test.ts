/** The published entry point: dist/ as `npm ci` builds it, its typings under skipLibCheck false, and the README's example run against it. */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import path from 'node:path';
import { before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { ROOT } from '../cli/helpers.js';

const run = promisify(execFile);
const TSC = path.join(ROOT, 'node_modules/typescript/bin/tsc');

describe("the package entry 'l2lab' (dist/)", () => {
  // What `npm ci` runs as `prepare`: the example and the consumer below resolve 'l2lab' to dist/ through package.json's exports.
  before(async () => {
    await run(process.execPath, [TSC, '-p', 'tsconfig.build.json'], { cwd: ROOT });
  });

  it('dist/*.d.ts compile in a consumer with skipLibCheck false (no onnx-proto Long errors)', async () => {
    const r = await run(process.execPath, [TSC, '-p', 'test/types/tsconfig.json'], { cwd: ROOT }).catch((e: { stdout: string }) => e);
    assert.equal(r.stdout, '', `tsc -p test/types/tsconfig.json:\n${r.stdout}`);
  });

  it("examples/tfjs-l2.ts compiles against dist (skipLibCheck: @tensorflow/tfjs's own typings fail strict library checks)", async () => {
    const r = await run(process.execPath, [TSC, '-p', 'test/types/tsconfig.tfjs.json'], { cwd: ROOT }).catch((e: { stdout: string }) => e);
    assert.equal(r.stdout, '', `tsc -p test/types/tsconfig.tfjs.json:\n${r.stdout}`);
  });

  it('examples/quickstart.ts runs and prints the chosen λ and the test metrics', async () => {
    const { stdout } = await run(process.execPath, ['--import', 'tsx', 'examples/quickstart.ts'], { cwd: ROOT, env: { ...process.env, L2LAB_THREADS: '1' } });
    assert.match(stdout, /^λ_min = [\d.e+-]+, λ_1se = [\d.e+-]+$/m);
    assert.match(stdout, /^test loss 0\.\d{4}, accuracy \d+\.\d\d%$/m);
  });
});
