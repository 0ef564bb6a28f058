/** Regression tests of what a careful user still hit (issue 19), each through the command line or the library call it concerns. */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { l2labHere as l2lab, scratch } from './helpers.js';

process.env.L2LAB_THREADS = '1';
const dir = scratch('careful-user');
const at = (name: string): string => path.join(dir, name);

describe('a malformed postgres:// URL', () => {
  it('gets the unreachable-server error, with the password masked and no stack trace', async () => {
    const cases = [
      ['tune', '--data', 'wine', '--model', 'softmax', '--log-range', '0.1:10:3', '--storage', 'postgres://:@:/'],
      ['studies', '--storage', 'postgres://me:secret@db.example:notaport/l2lab'],
    ];
    for (const args of cases) {
      const r = await l2lab(...args);
      assert.equal(r.code, 2, r.stderr);
      assert.match(r.stderr, /^l2lab [a-z]+: error: Cannot connect to PostgreSQL postgres:\/\/[^ ]*: the URL is malformed .*postgres:\/\/USER:PASSWORD@HOST:PORT\/DATABASE/);
      assert.doesNotMatch(r.stderr, /secret|TypeError|^\s+at /m);
    }
  });
});

describe('commands that only read a study store', () => {
  it('studies, show and studies --delete create no SQLite file: they say no store is there, naming the path and the fix', async () => {
    const typo = at('typo.db');
    for (const args of [['studies'], ['show', 'some-study'], ['studies', '--delete', 'some-study']]) {
      const r = await l2lab(...args, '--storage', typo);
      assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, new RegExp(`error: No study store at ${typo.replace(/[.]/g, '\\.')}: the file does not exist\\. .*--storage`));
      assert.equal(fs.existsSync(typo), false, `${args.join(' ')} created ${typo}`);
      assert.deepEqual(fs.readdirSync(dir).filter((f) => f.startsWith('typo')), []);
    }
  });
});
