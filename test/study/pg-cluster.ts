/** A throwaway PostgreSQL cluster for tests: initdb into a temp dir, pg_ctl start on a free 127.0.0.1 port, stop and delete after. */
import { execFile } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';

const run = promisify(execFile);

/** Why the PostgreSQL tests are skipped when no server binaries are installed; CI installs the Debian package named here. */
export const PG_MISSING = 'PostgreSQL server binaries not found: apt-get install -y postgresql';

/** The folder holding `initdb` and `pg_ctl`: the newest /usr/lib/postgresql/<version>/bin, else `pg_config --bindir`. Null when absent. */
export async function findPgBin(): Promise<string | null> {
  const root = '/usr/lib/postgresql';
  if (existsSync(root)) {
    const versions = readdirSync(root)
      .filter((v) => existsSync(join(root, v, 'bin', 'initdb')) && existsSync(join(root, v, 'bin', 'pg_ctl')))
      .sort((a, b) => Number(b) - Number(a));
    if (versions.length > 0) return join(root, versions[0], 'bin');
  }
  try {
    const dir = (await run('pg_config', ['--bindir'])).stdout.trim();
    if (existsSync(join(dir, 'initdb')) && existsSync(join(dir, 'pg_ctl'))) return dir;
  } catch {
    // no pg_config on PATH
  }
  return null;
}

export interface PgCluster {
  /** A `postgres://` URL for `database` on this cluster. */
  url(database: string): string;
  /**
   * A URL for a new, empty schema in the test database (`?options=-c search_path=<schema>`):
   * as isolated as a new database for l2lab, and 1000× faster to make.
   */
  fresh(): Promise<string>;
  /** Stops the server and deletes its files. */
  stop(): Promise<void>;
}

/**
 * Starts a private cluster (trust auth, user `l2lab`, fsync off: a test server, not a durable one).
 * PostgreSQL refuses to run as root, so as root it runs as the `postgres` user via `runuser`.
 * Set `L2LAB_TEST_POSTGRES_URL` (a URL whose user may CREATE DATABASE) to use an existing server instead.
 */
export async function startCluster(bin: string | null): Promise<PgCluster> {
  const external = process.env.L2LAB_TEST_POSTGRES_URL;
  if (external !== undefined && external !== '') return externalCluster(external);
  if (bin === null) throw new Error(PG_MISSING);

  const dir = mkdtempSync(join(tmpdir(), 'l2lab-pg-'));
  const data = join(dir, 'data');
  const asRoot = process.getuid?.() === 0;
  let sudo: string[] = [];
  if (asRoot) {
    const { stdout } = await run('id', ['-u', 'postgres']).catch(() => ({ stdout: '' }));
    const uid = Number(stdout.trim());
    if (!Number.isInteger(uid) || stdout.trim() === '') throw new Error('Running as root, and there is no postgres user to run the test server as (PostgreSQL refuses root).');
    const gid = Number((await run('id', ['-g', 'postgres'])).stdout.trim());
    chownSync(dir, uid, gid);
    sudo = ['runuser', '-u', 'postgres', '--'];
  }
  const exec = async (file: string, args: string[]): Promise<void> => {
    const [cmd, ...rest] = [...sudo, join(bin, file), ...args];
    await run(cmd, rest, { cwd: dir, timeout: 60_000 });
  };
  const port = await freePort();
  try {
    await exec('initdb', ['-D', data, '-U', 'l2lab', '-A', 'trust', '-E', 'UTF8', '--locale=C', '--no-sync']);
    const opts = `-c listen_addresses=127.0.0.1 -p ${port} -c unix_socket_directories=${dir} -c fsync=off -c full_page_writes=off -c max_connections=100`;
    await exec('pg_ctl', ['-D', data, '-l', join(dir, 'server.log'), '-w', '-t', '60', '-o', opts, 'start']);
  } catch (e) {
    const log = existsSync(join(dir, 'server.log')) ? readFileSync(join(dir, 'server.log'), 'utf8') : '';
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`Could not start a test PostgreSQL: ${(e as Error).message}\n${log}`);
  }
  const url = (db: string): string => `postgres://l2lab@127.0.0.1:${port}/${db}`;
  const schemas = await schemaMaker(url('postgres'), url, 'l2lab_test');
  return {
    url,
    fresh: schemas.fresh,
    async stop() {
      await schemas.end();
      await exec('pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop']).catch(() => undefined);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function externalCluster(admin: string): Promise<PgCluster> {
  const url = (db: string): string => {
    const u = new URL(admin);
    u.pathname = `/${db}`;
    return u.toString();
  };
  const db = `l2lab_test_${process.pid}`;
  const schemas = await schemaMaker(admin, url, db);
  return {
    url,
    fresh: schemas.fresh,
    async stop() {
      await schemas.end();
      const c = new pg.Client({ connectionString: admin });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${db} WITH (FORCE)`).catch(() => undefined);
      await c.end();
    },
  };
}

/** Creates database `db`, then hands out new schemas in it through one open connection. */
async function schemaMaker(admin: string, url: (db: string) => string, db: string): Promise<{ fresh(): Promise<string>; end(): Promise<void> }> {
  const a = new pg.Client({ connectionString: admin });
  await a.connect();
  try {
    await a.query(`CREATE DATABASE ${db} TEMPLATE template0`);
  } finally {
    await a.end();
  }
  const c = new pg.Client({ connectionString: url(db) });
  await c.connect();
  let n = 0;
  return {
    async fresh() {
      const schema = `s${++n}`;
      await c.query(`CREATE SCHEMA ${schema}`);
      return `${url(db)}?options=${encodeURIComponent(`-c search_path=${schema}`)}`;
    },
    end: () => c.end(),
  };
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() => (typeof addr === 'object' && addr !== null ? resolve(addr.port) : reject(new Error('no port'))));
    });
  });
}
