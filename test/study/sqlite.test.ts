/** SQLite storage: the conformance suite on a temp file and on `:memory:`, plus the checks that refuse foreign files. */
import assert from 'node:assert/strict';
import Database from 'better-sqlite3';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { StorageError } from '../../src/study/errors.js';
import { STORAGE_SCHEMA_VERSION } from '../../src/study/schema-version.js';
import { openSqliteStorage } from '../../src/study/sqlite/index.js';
import { CONFIG, storageConformance } from './conformance.js';

const dir = mkdtempSync(join(tmpdir(), 'l2lab-sqlite-'));
after(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;
const freshPath = (): string => join(dir, `study-${++n}.db`);

function integrity(path: string): () => Promise<void> {
  return async () => {
    const db = new Database(path, { readonly: true });
    try {
      assert.equal(db.pragma('integrity_check', { simple: true }), 'ok');
      assert.deepEqual(db.pragma('foreign_key_check'), []);
    } finally {
      db.close();
    }
  };
}

storageConformance('SQLite file', async () => {
  const path = freshPath();
  return { storage: openSqliteStorage(path), spec: path, checkIntegrity: integrity(path) };
});

storageConformance('SQLite :memory:', async () => ({ storage: openSqliteStorage(':memory:') }));

describe('SQLite storage specifics', () => {
  it('creates a versioned schema in WAL mode with foreign keys', async () => {
    const path = freshPath();
    const storage = openSqliteStorage(path);
    await storage.createStudy('s', CONFIG);
    await storage.close();
    const db = new Database(path, { readonly: true });
    try {
      assert.equal(db.pragma('journal_mode', { simple: true }), 'wal');
      const meta = Object.fromEntries((db.prepare('SELECT key, value FROM meta').all() as { key: string; value: string }[]).map((r) => [r.key, r.value]));
      assert.equal(meta.application, 'l2lab');
      assert.equal(meta.schema_version, String(STORAGE_SCHEMA_VERSION));
      const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").pluck().all();
      assert.deepEqual(tables, ['meta', 'sqlite_sequence', 'studies', 'study_attrs', 'trial_epochs', 'trial_values', 'trials']);
      const fks = db.prepare("SELECT \"table\" FROM pragma_foreign_key_list('trials')").pluck().all();
      assert.deepEqual(fks, ['studies']);
    } finally {
      db.close();
    }
    // Reopening an existing database works and keeps the data.
    const again = openSqliteStorage(path);
    assert.equal((await again.listStudies()).length, 1);
    await again.close();
  });

  it('adds the epoch table to a database made before it existed, keeping its data', async () => {
    const path = freshPath();
    const storage = openSqliteStorage(path);
    await storage.createStudy('old', CONFIG);
    await storage.close();
    const db = new Database(path);
    db.exec('DROP TABLE trial_epochs');
    db.close();
    const again = openSqliteStorage(path);
    try {
      const study = (await again.getStudy('old'))!;
      assert.deepEqual(await again.listEpochs(study.id), []);
      const { value: t } = await again.createTrial(study.id, { lambda: 1 });
      await again.claimTrial(study.id);
      await again.reportEpochs([{ trialId: t.id, member: 0, epoch: 0, trainLoss: 1, valLoss: 1, valAccuracy: null, penalty: 0, sumSquares: 1 }]);
      assert.equal((await again.listEpochs(study.id)).length, 1);
    } finally {
      await again.close();
    }
  });

  it('refuses a file that is not SQLite at all, leaving it untouched', () => {
    const path = join(dir, 'notes.txt');
    const text = 'these are my notes, not a database\n'.repeat(200);
    writeFileSync(path, text);
    assert.throws(
      () => openSqliteStorage(path),
      (e: unknown) => e instanceof StorageError && e.code === 'STORAGE' && /is not an l2lab study database: it is not a SQLite file at all/.test(e.message) && e.message.includes(path),
    );
    assert.equal(readFileSync(path, 'utf8'), text);
  });

  it('refuses another application’s SQLite database without converting it to WAL', () => {
    const path = join(dir, 'other-app.db');
    const db = new Database(path);
    db.exec("CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT); INSERT INTO users (name) VALUES ('ada');");
    db.close();
    assert.throws(() => openSqliteStorage(path), (e: unknown) => e instanceof StorageError && /SQLite database but not an l2lab study database: it has tables users/.test(e.message));
    const check = new Database(path, { readonly: true });
    assert.equal(check.pragma('journal_mode', { simple: true }), 'delete');
    check.close();
  });

  it('refuses a meta table of another application and a schema from a newer l2lab', () => {
    const foreign = join(dir, 'foreign-meta.db');
    let db = new Database(foreign);
    db.exec("CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT); INSERT INTO meta VALUES ('application', 'optuna');");
    db.close();
    assert.throws(() => openSqliteStorage(foreign), /meta\.application is "optuna", expected "l2lab"/);

    const newer = freshPath();
    openSqliteStorage(newer).close();
    db = new Database(newer);
    db.prepare("UPDATE meta SET value = ? WHERE key = 'schema_version'").run(String(STORAGE_SCHEMA_VERSION + 1));
    db.close();
    assert.throws(() => openSqliteStorage(newer), (e: unknown) => e instanceof StorageError && /written by a newer l2lab/.test(e.message));
  });

  it('names the path and the fix when the file cannot be opened', () => {
    assert.throws(() => openSqliteStorage(join(dir, 'no-such-folder', 'x.db')), (e: unknown) => e instanceof StorageError && /Cannot open SQLite file .*no-such-folder.*folder exists/.test(e.message));
  });

  it("a writer waits for another process's write lock (busy_timeout), and says so clearly when it times out", async () => {
    const path = freshPath();
    const storage = openSqliteStorage(path, { busyTimeoutMs: 10_000 });
    const { value: study } = await storage.createStudy('s', CONFIG);
    // Another process takes the write lock for 400 ms.
    const holder = spawn(
      process.execPath,
      ['-e', `const D = require('better-sqlite3'); const db = new D(${JSON.stringify(path)}); db.exec('BEGIN IMMEDIATE'); console.log('locked'); setTimeout(() => { db.exec('COMMIT'); db.close(); }, 400);`],
      { cwd: fileURLToPath(new URL('../../', import.meta.url)), stdio: ['ignore', 'pipe', 'inherit'] },
    );
    await new Promise<void>((resolve) => holder.stdout.once('data', () => resolve()));
    const quick = openSqliteStorage(path, { busyTimeoutMs: 50 });
    await assert.rejects(quick.createTrial(study.id, { lambda: 1 }), (e: unknown) => e instanceof StorageError && /locked by another process/.test(e.message));
    await quick.close();
    const started = Date.now();
    assert.equal((await storage.createTrial(study.id, { lambda: 1 })).created, true);
    assert.ok(Date.now() - started >= 100, 'the write waited for the lock');
    await new Promise((r) => holder.once('close', r));
    await storage.close();
  });
});
