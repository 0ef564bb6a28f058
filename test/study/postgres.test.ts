/** PostgreSQL storage: the conformance suite on a throwaway cluster (skipped, saying why, without server binaries), plus its own checks. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { StorageError } from '../../src/study/errors.js';
import { openStorage } from '../../src/study/open-storage.js';
import { openPostgresStorage } from '../../src/study/postgres/index.js';
import { STORAGE_SCHEMA_VERSION } from '../../src/study/schema-version.js';
import { CONFIG, storageConformance } from './conformance.js';
import { findPgBin, PG_MISSING, startCluster, type PgCluster } from './pg-cluster.js';

const bin = await findPgBin();
const external = (process.env.L2LAB_TEST_POSTGRES_URL ?? '') !== '';

if (bin === null && !external) {
  it('PostgreSQL storage', { skip: PG_MISSING }, () => undefined);
} else {
  let cluster: PgCluster | undefined;
  before(async () => {
    cluster = await startCluster(bin);
  });
  after(async () => {
    await cluster?.stop();
  });

  storageConformance('PostgreSQL', async () => {
    const url = await cluster!.fresh();
    return { storage: await openStorage(url), spec: url };
  });

  describe('PostgreSQL storage specifics', () => {
    it('creates a versioned schema, once, even when several processes open an empty database together', async () => {
      const url = await cluster!.fresh();
      const storages = await Promise.all(Array.from({ length: 4 }, () => openPostgresStorage(url)));
      await storages[0].createStudy('s', CONFIG);
      for (const s of storages) assert.equal((await s.listStudies()).length, 1);
      await Promise.all(storages.map((s) => s.close()));
      const c = new pg.Client({ connectionString: url });
      await c.connect();
      try {
        const meta = Object.fromEntries((await c.query('SELECT key, value FROM meta')).rows.map((r: { key: string; value: string }) => [r.key, r.value]));
        assert.equal(meta.application, 'l2lab');
        assert.equal(meta.schema_version, String(STORAGE_SCHEMA_VERSION));
        const tables = (await c.query("SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() ORDER BY table_name")).rows.map((r: { table_name: string }) => r.table_name);
        assert.deepEqual(tables, ['meta', 'studies', 'study_attrs', 'trial_epochs', 'trial_values', 'trials']);
      } finally {
        await c.end();
      }
    });

    it('refuses a database whose tables are not l2lab’s, and one from a newer l2lab', async () => {
      const foreign = await cluster!.fresh();
      const c = new pg.Client({ connectionString: foreign });
      await c.connect();
      await c.query('CREATE TABLE trials (id serial PRIMARY KEY, patient text)');
      await c.end();
      await assert.rejects(openPostgresStorage(foreign), (e: unknown) => e instanceof StorageError && /is not an l2lab study database: it has tables trials/.test(e.message));

      const newer = await cluster!.fresh();
      await (await openPostgresStorage(newer)).close();
      const d = new pg.Client({ connectionString: newer });
      await d.connect();
      await d.query("UPDATE meta SET value = $1 WHERE key = 'schema_version'", [String(STORAGE_SCHEMA_VERSION + 1)]);
      await d.end();
      await assert.rejects(openPostgresStorage(newer), (e: unknown) => e instanceof StorageError && /written by a newer l2lab/.test(e.message));
    });

    it('adds the epoch table to a database made before it existed, keeping its data', async () => {
      const url = await cluster!.fresh();
      const first = await openPostgresStorage(url);
      await first.createStudy('old', CONFIG);
      await first.close();
      const c = new pg.Client({ connectionString: url });
      await c.connect();
      try {
        await c.query('DROP TABLE trial_epochs');
      } finally {
        await c.end();
      }
      const again = await openPostgresStorage(url);
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

    it('keeps its tables in the schema named by search_path', async () => {
      const url = await cluster!.fresh();
      const schema = /search_path%3D(\w+)/.exec(url)![1];
      const s = await openPostgresStorage(url);
      await s.createStudy('s', CONFIG);
      await s.close();
      const c = new pg.Client({ connectionString: cluster!.url('l2lab_test') });
      await c.connect();
      try {
        assert.equal((await c.query('SELECT count(*)::int AS n FROM information_schema.tables WHERE table_schema = $1', [schema])).rows[0].n, 6);
        assert.equal((await c.query(`SELECT name FROM ${schema}.studies`)).rows[0].name, 's');
        assert.equal((await c.query("SELECT to_regclass('public.studies') AS t")).rows[0].t, null);
      } finally {
        await c.end();
      }
    });

    it('keeps the password out of messages and explains a missing database', async () => {
      const url = cluster!.url('no_such_db').replace('l2lab@', 'l2lab:s3cret@');
      await assert.rejects(openPostgresStorage(url), (e: unknown) => {
        assert.ok(e instanceof StorageError, String(e));
        assert.match(e.message, /no_such_db/);
        assert.match(e.message, /createdb/);
        assert.doesNotMatch(e.message, /s3cret/);
        return true;
      });
    });
  });
}
