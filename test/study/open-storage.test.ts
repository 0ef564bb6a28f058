/** openStorage: which backend each `--storage` value opens, and the errors for values it cannot use. */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { StorageError } from '../../src/study/errors.js';
import { DEFAULT_STORAGE, openStorage } from '../../src/study/open-storage.js';
import { PostgresStorage } from '../../src/study/postgres/index.js';
import { SqliteStorage } from '../../src/study/sqlite/index.js';

const dir = mkdtempSync(join(tmpdir(), 'l2lab-open-'));
after(() => rmSync(dir, { recursive: true, force: true }));

describe('openStorage', () => {
  it('opens SQLite for a path (created when absent) and for :memory:', async () => {
    const path = join(dir, 'a.db');
    const s = await openStorage(path);
    assert.ok(s instanceof SqliteStorage);
    assert.equal(s.location, `SQLite file ${path}`);
    assert.ok(existsSync(path));
    await s.close();
    const m = await openStorage(':memory:');
    assert.ok(m instanceof SqliteStorage);
    await m.close();
  });

  it('defaults to ./l2lab.db in the working directory', async () => {
    assert.equal(DEFAULT_STORAGE, './l2lab.db');
    const cwd = process.cwd();
    process.chdir(dir);
    try {
      for (const spec of [undefined, '', '  ']) {
        const s = await openStorage(spec);
        assert.equal(s.location, 'SQLite file ./l2lab.db');
        await s.close();
      }
      assert.ok(existsSync(join(dir, 'l2lab.db')));
    } finally {
      process.chdir(cwd);
    }
  });

  it('opens PostgreSQL for postgres:// and postgresql:// URLs (any case), with a clear error when unreachable', async () => {
    for (const scheme of ['postgres', 'postgresql', 'POSTGRES']) {
      await assert.rejects(openStorage(`${scheme}://l2lab:pw@127.0.0.1:1/l2lab`, { connectTimeoutMs: 2_000 }), (e: unknown) => {
        assert.ok(e instanceof StorageError, String(e));
        assert.match(e.message, /^Cannot connect to PostgreSQL postgres(ql)?:\/\/l2lab:\*\*\*@127\.0\.0\.1:1\/l2lab/i);
        return true;
      });
    }
    assert.equal(typeof PostgresStorage.open, 'function');
  });

  it('refuses other URL schemes, naming the accepted forms', async () => {
    await assert.rejects(openStorage('mysql://root@localhost/l2lab'), (e: unknown) => e instanceof StorageError && /Unsupported --storage URL scheme 'mysql:'.*postgres:\/\//.test(e.message));
  });
});
