/** StudyStorage on PostgreSQL (pg): row locks and `FOR UPDATE SKIP LOCKED` claims, so many machines can share one study. */
import pg from 'pg';
import { L2labError } from '../../errors.js';
import {
  assertWritable,
  checkAttempt,
  checkAfter,
  checkMax,
  checkStaleAfter,
  epochRows,
  checkAttrKey,
  checkDirection,
  checkHeartbeatTimeout,
  checkId,
  checkStates,
  checkStep,
  checkStudyName,
  checkValue,
  claimSettings,
  configMismatch,
  configText,
  emptyCounts,
  finishSettings,
  keyClash,
  noStudy,
  noTrial,
  paramsAndKey,
} from '../checks.js';
import { StorageError } from '../errors.js';
import { canonicalJson, type Json } from '../json.js';
import { currentOwner, isOwnerDeadHere, isProcessAlive, workerHost } from '../owner.js';
import type {
  ClaimOptions,
  Created,
  CreateStudyOptions,
  Direction,
  FinishedState,
  FinishOptions,
  IntermediateValue,
  OwnershipGuard,
  StorageOptions,
  Study,
  StudyConfig,
  StudyStorage,
  StudySummary,
  Trial,
  TrialEpoch,
  TrialEpochInput,
  TrialFinish,
  TrialOwner,
  TrialParams,
  TrialSpec,
  TrialState,
} from '../storage.js';
import { ensureSchema } from './schema.js';

/** Options of {@link PostgresStorage}. */
export interface PostgresStorageOptions extends StorageOptions {
  /** Most connections this process opens. Default 4. */
  maxConnections?: number;
  /** How long to wait for a connection before failing, in ms. Default 10 000. */
  connectTimeoutMs?: number;
}

interface StudyRow {
  id: number;
  name: string;
  direction: Direction;
  config: Json;
  created_at: Date;
}

interface TrialRow {
  id: number;
  study_id: number;
  number: number;
  key: string;
  params: Json;
  state: TrialState;
  value: number | null;
  result: Json;
  reason: string | null;
  owner_pid: number | null;
  owner_host: string | null;
  heartbeat_at: Date | null;
  attempt: number;
  created_at: Date;
  started_at: Date | null;
  finished_at: Date | null;
}

interface ValueRow {
  trial_id: number;
  step: number;
  value: number;
  extra: Json;
}

type Queryable = pg.Pool | pg.PoolClient;

/** Advisory-lock key that serializes epoch writes (any constant shared by every l2lab). */
const EPOCHS_LOCK = 0x6c326570; // 'l2ep'

interface EpochRow {
  /** int8 arrives as a string. */
  seq: string;
  trial_id: number;
  member: number;
  epoch: number;
  train_loss: number | null;
  val_loss: number | null;
  val_accuracy: number | null;
  penalty: number | null;
  sum_squares: number | null;
  at: Date;
}

/**
 * A study storage in a PostgreSQL database, shareable by any number of processes on any number
 * of machines. Every state change is one transaction; a trial's row is locked (`FOR NO KEY UPDATE`)
 * while it changes, and claims pick rows with `FOR UPDATE SKIP LOCKED`, so two workers never get
 * the same trial and never wait on each other's claim. Heartbeat ages use the server clock.
 *
 * @example const storage = await openPostgresStorage('postgres://user:pw@db.example:5432/l2lab');
 */
export class PostgresStorage implements StudyStorage {
  private closed = false;
  private readonly here = workerHost();
  readonly shared = true;

  private constructor(
    private readonly pool: pg.Pool,
    readonly location: string,
    readonly heartbeatTimeoutMs: number,
  ) {}

  /** Connects, checks that the database is l2lab's (or empty) and creates the schema when absent. */
  static async open(url: string, options: PostgresStorageOptions = {}): Promise<PostgresStorage> {
    const location = `PostgreSQL ${redact(url)}`;
    const staleAfterMs = checkHeartbeatTimeout(options);
    const pool = new pg.Pool({
      connectionString: url,
      max: options.maxConnections ?? 4,
      connectionTimeoutMillis: options.connectTimeoutMs ?? 10_000,
      application_name: 'l2lab',
    });
    // An idle connection dropped by the server must not crash the process; the next query reconnects.
    pool.on('error', () => undefined);
    const storage = new PostgresStorage(pool, location, staleAfterMs);
    try {
      const client = await pool.connect();
      try {
        await ensureSchema(client, location);
      } finally {
        client.release();
      }
    } catch (e) {
      await pool.end().catch(() => undefined);
      throw storage.wrap(e);
    }
    return storage;
  }

  async createStudy(name: string, config: StudyConfig, options?: CreateStudyOptions): Promise<Created<Study>> {
    checkStudyName(name);
    const direction = checkDirection(options?.direction);
    const text = configText(config);
    return this.tx(async (c) => {
      const inserted = await c.query<StudyRow>(
        'INSERT INTO studies (name, direction, config) VALUES ($1, $2, $3::jsonb) ON CONFLICT (name) DO NOTHING RETURNING *',
        [name, direction, text],
      );
      if (inserted.rows.length === 1) return { value: toStudy(inserted.rows[0]), created: true };
      const existing = (await c.query<StudyRow>('SELECT * FROM studies WHERE name = $1', [name])).rows[0];
      if (existing === undefined) throw new StorageError(`Study '${name}' was deleted while it was being created; retry.`);
      if (canonicalJson(existing.config, 'config') !== text || existing.direction !== direction) {
        throw configMismatch(name, this.location, { config: existing.config, direction: existing.direction }, { config: JSON.parse(text) as Json, direction });
      }
      return { value: toStudy(existing), created: false };
    });
  }

  async getStudy(name: string): Promise<Study | null> {
    checkStudyName(name);
    return this.run(async () => {
      const row = (await this.pool.query<StudyRow>('SELECT * FROM studies WHERE name = $1', [name])).rows[0];
      return row === undefined ? null : toStudy(row);
    });
  }

  async listStudies(): Promise<StudySummary[]> {
    return this.run(async () => {
      const rows = (
        await this.pool.query<StudyRow & { counts: Record<string, number> | null; best_id: number | null; best_value: number | null }>(`
          SELECT s.*,
                 (SELECT json_object_agg(c.state, c.n) FROM (SELECT state, count(*)::int AS n FROM trials WHERE study_id = s.id GROUP BY state) c) AS counts,
                 b.id AS best_id, b.value AS best_value
          FROM studies s
          LEFT JOIN LATERAL (
            SELECT t.id, t.value FROM trials t
            WHERE t.study_id = s.id AND t.state = 'COMPLETE' AND t.value IS NOT NULL
            ORDER BY CASE WHEN s.direction = 'minimize' THEN t.value ELSE -t.value END, t.number
            LIMIT 1
          ) b ON true
          ORDER BY s.id`)
      ).rows;
      return rows.map((r): StudySummary => {
        const trialCounts = emptyCounts();
        for (const [state, n] of Object.entries(r.counts ?? {})) trialCounts[state as TrialState] = n;
        return { ...toStudy(r), trialCounts, bestValue: r.best_value, bestTrialId: r.best_id };
      });
    });
  }

  async deleteStudy(studyId: number): Promise<void> {
    checkId(studyId, 'study');
    await this.run(async () => {
      if ((await this.pool.query('DELETE FROM studies WHERE id = $1', [studyId])).rowCount === 0) throw noStudy(studyId, this.location);
    });
  }

  async createTrial(studyId: number, params: TrialParams, key?: string): Promise<Created<Trial>> {
    return (await this.createTrials(studyId, [{ params, key }]))[0];
  }

  async createTrials(studyId: number, trials: readonly TrialSpec[]): Promise<Created<Trial>[]> {
    checkId(studyId, 'study');
    const specs = trials.map((t) => paramsAndKey(t.params, t.key));
    return this.tx(async (c) => {
      // Locking the study row serializes trial creation within a study, so numbers stay dense and unique.
      if ((await c.query('SELECT 1 FROM studies WHERE id = $1 FOR NO KEY UPDATE', [studyId])).rows.length === 0) throw noStudy(studyId, this.location);
      const out: Created<Trial>[] = [];
      for (const { paramsText, key: k } of specs) {
        const existing = (await c.query<TrialRow>('SELECT * FROM trials WHERE study_id = $1 AND key = $2', [studyId, k])).rows[0];
        if (existing !== undefined) {
          const stored = canonicalJson(existing.params, 'params');
          if (stored !== paramsText) throw keyClash(k, stored, paramsText);
          out.push({ value: await loadTrial(c, existing), created: false });
          continue;
        }
        const row = (
          await c.query<TrialRow>(
            `INSERT INTO trials (study_id, number, key, params, state, attempt)
             VALUES ($1, (SELECT COALESCE(MAX(number) + 1, 0) FROM trials WHERE study_id = $1), $2, $3::jsonb, 'WAITING', 0)
             RETURNING *`,
            [studyId, k, paramsText],
          )
        ).rows[0];
        out.push({ value: toTrial(row, []), created: true });
      }
      return out;
    });
  }

  async getTrial(trialId: number): Promise<Trial | null> {
    return (await this.getTrials([trialId]))[0];
  }

  async getTrials(trialIds: readonly number[]): Promise<(Trial | null)[]> {
    for (const id of trialIds) checkId(id, 'trial');
    return this.tx(async (c) => {
      const out: (Trial | null)[] = [];
      for (const id of trialIds) {
        const row = (await c.query<TrialRow>('SELECT * FROM trials WHERE id = $1', [id])).rows[0];
        out.push(row === undefined ? null : await loadTrial(c, row));
      }
      return out;
    }, 'REPEATABLE READ');
  }

  async listTrials(studyId: number, filter?: { state?: TrialState | readonly TrialState[] }): Promise<Trial[]> {
    checkId(studyId, 'study');
    const states = checkStates(filter) ?? null;
    // REPEATABLE READ: trials and their values come from one snapshot.
    return this.tx(async (c) => {
      if ((await c.query('SELECT 1 FROM studies WHERE id = $1', [studyId])).rows.length === 0) throw noStudy(studyId, this.location);
      const rows = (await c.query<TrialRow>('SELECT * FROM trials WHERE study_id = $1 AND ($2::text[] IS NULL OR state = ANY($2)) ORDER BY number', [studyId, states])).rows;
      const values = (
        await c.query<ValueRow>('SELECT v.* FROM trial_values v JOIN trials t ON t.id = v.trial_id WHERE t.study_id = $1 AND ($2::text[] IS NULL OR t.state = ANY($2)) ORDER BY v.trial_id, v.step', [
          studyId,
          states,
        ])
      ).rows;
      const byTrial = new Map<number, IntermediateValue[]>();
      for (const v of values) {
        let list = byTrial.get(v.trial_id);
        if (list === undefined) byTrial.set(v.trial_id, (list = []));
        list.push(toValue(v));
      }
      return rows.map((r) => toTrial(r, byTrial.get(r.id) ?? []));
    }, 'REPEATABLE READ');
  }

  async claimTrial(studyId: number, options?: ClaimOptions): Promise<Trial | null> {
    checkId(studyId, 'study');
    const { trialId, owner, staleAfterMs } = claimSettings(options, this.heartbeatTimeoutMs, currentOwner());
    return this.tx(async (c) => {
      if ((await c.query('SELECT 1 FROM studies WHERE id = $1', [studyId])).rows.length === 0) throw noStudy(studyId, this.location);
      return this.claimOne(c, studyId, trialId, owner, staleAfterMs);
    });
  }

  async claimTrials(studyId: number, trialIds: readonly number[], options?: Omit<ClaimOptions, 'trialId'> & { max?: number }): Promise<Trial[]> {
    checkId(studyId, 'study');
    for (const id of trialIds) checkId(id, 'trial');
    const { owner, staleAfterMs } = claimSettings(options, this.heartbeatTimeoutMs, currentOwner());
    const max = checkMax(options?.max);
    return this.tx(async (c) => {
      if ((await c.query('SELECT 1 FROM studies WHERE id = $1', [studyId])).rows.length === 0) throw noStudy(studyId, this.location);
      const claimed: Trial[] = [];
      for (const id of trialIds) {
        if (claimed.length >= max) break;
        const t = await this.claimOne(c, studyId, id, owner, staleAfterMs);
        if (t !== null) claimed.push(t);
      }
      return claimed;
    });
  }

  async liveWorkers(studyId: number, options?: Pick<ClaimOptions, 'staleAfterMs'>): Promise<TrialOwner[]> {
    checkId(studyId, 'study');
    const staleAfterMs = checkStaleAfter(options?.staleAfterMs, this.heartbeatTimeoutMs, 'liveWorkers');
    return this.tx(async (c) => {
      if ((await c.query('SELECT 1 FROM studies WHERE id = $1', [studyId])).rows.length === 0) throw noStudy(studyId, this.location);
      const owners = (
        await c.query<TrialOwner>(
          `SELECT DISTINCT owner_pid AS pid, owner_host AS hostname FROM trials
           WHERE study_id = $1 AND owner_pid IS NOT NULL AND ($2::float8 IS NULL OR heartbeat_at >= now() - $2::float8 * interval '1 millisecond')
           ORDER BY owner_host, owner_pid`,
          [studyId, Number.isFinite(staleAfterMs) ? staleAfterMs : null],
        )
      ).rows;
      return owners.filter((o) => !isOwnerDeadHere(o, this.here));
    });
  }

  async heartbeat(trialId: number, guard?: OwnershipGuard): Promise<void> {
    checkId(trialId, 'trial');
    const attempt = checkAttempt(guard?.attempt);
    await this.tx(async (c) => {
      assertWritable(await this.lockTrial(c, trialId), 'send a heartbeat', attempt);
      await c.query('UPDATE trials SET heartbeat_at = now() WHERE id = $1', [trialId]);
    });
  }

  async reportIntermediate(trialId: number, step: number, value: number, extra?: Json, guard?: OwnershipGuard): Promise<void> {
    checkId(trialId, 'trial');
    checkStep(step);
    checkValue(value, 'reportIntermediate');
    const extraText = extra === undefined || extra === null ? null : canonicalJson(extra, 'extra');
    const attempt = checkAttempt(guard?.attempt);
    await this.tx(async (c) => {
      assertWritable(await this.lockTrial(c, trialId), `report step ${step}`, attempt);
      await c.query(
        'INSERT INTO trial_values (trial_id, step, value, extra) VALUES ($1, $2, $3, $4::jsonb) ON CONFLICT (trial_id, step) DO UPDATE SET value = excluded.value, extra = excluded.extra',
        [trialId, step, value, extraText],
      );
      await c.query('UPDATE trials SET heartbeat_at = now() WHERE id = $1', [trialId]);
    });
  }

  async finishTrial(trialId: number, state: FinishedState, outcome?: FinishOptions): Promise<Trial> {
    return (await this.finishTrials([{ trialId, state, outcome }]))[0];
  }

  async finishTrials(finishes: readonly TrialFinish[]): Promise<Trial[]> {
    const checked = finishes.map((f) => ({ trialId: checkId(f.trialId, 'trial'), ...finishSettings(f.state, f.outcome) }));
    return this.tx(async (c) => {
      const out: Trial[] = [];
      for (const f of checked) {
        assertWritable(await this.lockTrial(c, f.trialId), `finish it as ${f.state}`, f.attempt);
        const row = (
          await c.query<TrialRow>('UPDATE trials SET state = $2, value = $3, result = $4::jsonb, reason = $5, finished_at = now(), heartbeat_at = now() WHERE id = $1 RETURNING *', [
            f.trialId,
            f.state,
            f.value,
            f.resultText,
            f.reason,
          ])
        ).rows[0];
        out.push(await loadTrial(c, row));
      }
      return out;
    });
  }

  async setStudyAttr(studyId: number, key: string, value: Json): Promise<void> {
    checkId(studyId, 'study');
    checkAttrKey(key);
    const text = canonicalJson(value, `study attribute '${key}'`);
    await this.tx(async (c) => {
      if ((await c.query('SELECT 1 FROM studies WHERE id = $1', [studyId])).rows.length === 0) throw noStudy(studyId, this.location);
      await c.query('INSERT INTO study_attrs (study_id, key, value) VALUES ($1, $2, $3::jsonb) ON CONFLICT (study_id, key) DO UPDATE SET value = excluded.value', [studyId, key, text]);
    });
  }

  async reportEpochs(records: readonly TrialEpochInput[]): Promise<void> {
    const rows = epochRows(records);
    if (rows.length === 0) return;
    await this.tx(async (c) => {
      // One epoch writer at a time, so seqs commit in order and a reader's `after` cursor skips nothing.
      await c.query('SELECT pg_advisory_xact_lock($1)', [EPOCHS_LOCK]);
      for (const id of new Set(rows.map((r) => r.trialId))) assertWritable(await this.lockTrial(c, id), 'report epochs', undefined);
      const col = (f: (r: TrialEpochInput) => number | null) => rows.map(f);
      await c.query(
        `INSERT INTO trial_epochs (trial_id, member, epoch, train_loss, val_loss, val_accuracy, penalty, sum_squares)
         SELECT * FROM unnest($1::int[], $2::int[], $3::int[], $4::float8[], $5::float8[], $6::float8[], $7::float8[], $8::float8[])
         ON CONFLICT (trial_id, member, epoch) DO UPDATE SET train_loss = excluded.train_loss, val_loss = excluded.val_loss, val_accuracy = excluded.val_accuracy,
           penalty = excluded.penalty, sum_squares = excluded.sum_squares, at = now(), seq = nextval(pg_get_serial_sequence('trial_epochs', 'seq'))`,
        [col((r) => r.trialId), col((r) => r.member), col((r) => r.epoch), col((r) => r.trainLoss), col((r) => r.valLoss), col((r) => r.valAccuracy), col((r) => r.penalty), col((r) => r.sumSquares)],
      );
    });
  }

  async listEpochs(studyId: number, options?: { after?: number }): Promise<TrialEpoch[]> {
    checkId(studyId, 'study');
    const after = checkAfter(options?.after);
    return this.tx(async (c) => {
      if ((await c.query('SELECT 1 FROM studies WHERE id = $1', [studyId])).rows.length === 0) throw noStudy(studyId, this.location);
      const rows = (
        await c.query<EpochRow>('SELECT e.* FROM trial_epochs e JOIN trials t ON t.id = e.trial_id WHERE t.study_id = $1 AND e.seq > $2 ORDER BY e.seq', [studyId, after])
      ).rows;
      return rows.map((r) => ({ trialId: r.trial_id, member: r.member, epoch: r.epoch, trainLoss: r.train_loss, valLoss: r.val_loss, valAccuracy: r.val_accuracy, penalty: r.penalty, sumSquares: r.sum_squares, at: r.at.getTime(), seq: Number(r.seq) }));
    }, 'REPEATABLE READ');
  }

  async swapStudyAttr(studyId: number, key: string, expected: Json | undefined, value: Json): Promise<boolean> {
    checkId(studyId, 'study');
    checkAttrKey(key);
    const want = expected === undefined ? undefined : canonicalJson(expected, `study attribute '${key}'`);
    const text = canonicalJson(value, `study attribute '${key}'`);
    return this.tx(async (c) => {
      // The study row's lock serializes swaps of an attribute that does not exist yet (no row to lock).
      if ((await c.query('SELECT 1 FROM studies WHERE id = $1 FOR NO KEY UPDATE', [studyId])).rows.length === 0) throw noStudy(studyId, this.location);
      const row = (await c.query<{ value: Json }>('SELECT value FROM study_attrs WHERE study_id = $1 AND key = $2', [studyId, key])).rows[0];
      if ((row === undefined ? undefined : canonicalJson(row.value, 'value')) !== want) return false;
      await c.query('INSERT INTO study_attrs (study_id, key, value) VALUES ($1, $2, $3::jsonb) ON CONFLICT (study_id, key) DO UPDATE SET value = excluded.value', [studyId, key, text]);
      return true;
    });
  }

  async getStudyAttrs(studyId: number): Promise<Record<string, Json>> {
    checkId(studyId, 'study');
    return this.tx(async (c) => {
      if ((await c.query('SELECT 1 FROM studies WHERE id = $1', [studyId])).rows.length === 0) throw noStudy(studyId, this.location);
      const out: Record<string, Json> = {};
      for (const r of (await c.query<{ key: string; value: Json }>('SELECT key, value FROM study_attrs WHERE study_id = $1 ORDER BY key', [studyId])).rows) out[r.key] = r.value;
      return out;
    }, 'REPEATABLE READ');
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.pool.end();
  }

  /** Inside a transaction: claims the lowest-numbered claimable trial of the study (only `trialId` when given), skipping rows other claims hold. */
  private async claimOne(c: pg.PoolClient, studyId: number, trialId: number | undefined, owner: TrialOwner, staleAfterMs: number): Promise<Trial | null> {
    // Owners on this host whose pid is gone. Matching on (id, attempt) below means a trial
    // reclaimed by someone else since this read is not taken from its new, live owner.
    const running = (
      await c.query<{ id: number; attempt: number; owner_pid: number }>("SELECT id, attempt, owner_pid FROM trials WHERE study_id = $1 AND state = 'RUNNING' AND owner_host = $2", [studyId, this.here])
    ).rows;
    const dead = running.filter((r) => !isProcessAlive(r.owner_pid));
    const claimed = (
      await c.query<TrialRow>(
        `UPDATE trials
         SET state = 'RUNNING', owner_pid = $3, owner_host = $4, heartbeat_at = now(), started_at = now(), attempt = attempt + 1
         WHERE id = (
           SELECT id FROM trials
           WHERE study_id = $1 AND ($2::int IS NULL OR id = $2)
             AND (state = 'WAITING'
                  OR (state = 'RUNNING'
                      AND (($5::float8 IS NOT NULL AND heartbeat_at < now() - $5::float8 * interval '1 millisecond')
                           OR (id, attempt) IN (SELECT * FROM unnest($6::int[], $7::int[])))))
           ORDER BY number
           LIMIT 1
           FOR UPDATE SKIP LOCKED)
         RETURNING *`,
        [studyId, trialId ?? null, owner.pid, owner.hostname, Number.isFinite(staleAfterMs) ? staleAfterMs : null, dead.map((d) => d.id), dead.map((d) => d.attempt)],
      )
    ).rows[0];
    if (claimed === undefined) return null;
    await c.query('DELETE FROM trial_values WHERE trial_id = $1', [claimed.id]);
    await c.query('DELETE FROM trial_epochs WHERE trial_id = $1', [claimed.id]);
    return toTrial(claimed, []);
  }

  /** Locks a trial's row for the rest of the transaction and returns what the ownership checks need. */
  private async lockTrial(c: pg.PoolClient, trialId: number): Promise<{ id: number; number: number; state: TrialState; value: number | null; attempt: number }> {
    const row = (await c.query('SELECT id, number, state, value, attempt FROM trials WHERE id = $1 FOR NO KEY UPDATE', [trialId])).rows[0] as
      | { id: number; number: number; state: TrialState; value: number | null; attempt: number }
      | undefined;
    if (row === undefined) throw noTrial(trialId, this.location);
    return row;
  }

  /** Runs `fn` in one transaction on one pooled connection; rolls back on any error. */
  private async tx<T>(fn: (c: pg.PoolClient) => Promise<T>, isolation: 'READ COMMITTED' | 'REPEATABLE READ' = 'READ COMMITTED'): Promise<T> {
    return this.run(async () => {
      const client = await this.pool.connect();
      let broken: Error | undefined;
      try {
        await client.query(`BEGIN ISOLATION LEVEL ${isolation}`);
        const out = await fn(client);
        await client.query('COMMIT');
        return out;
      } catch (e) {
        await client.query('ROLLBACK').catch((rollbackError: Error) => {
          broken = rollbackError; // the connection is unusable: drop it from the pool
        });
        throw e;
      } finally {
        client.release(broken);
      }
    });
  }

  private async run<T>(fn: (q: Queryable) => Promise<T>): Promise<T> {
    if (this.closed) throw new StorageError(`The storage for ${this.location} is closed.`);
    try {
      return await fn(this.pool);
    } catch (e) {
      throw this.wrap(e);
    }
  }

  private wrap(e: unknown): Error {
    if (e instanceof L2labError) return e;
    const err = e as Error & { code?: string };
    const where = this.location;
    switch (err.code) {
      case 'ECONNREFUSED':
      case 'ENOTFOUND':
      case 'ETIMEDOUT':
      case 'EHOSTUNREACH':
        return new StorageError(`Cannot connect to ${where}: ${err.message}. Is the server running and reachable from this machine?`);
      case '28P01':
      case '28000':
        return new StorageError(`${where} refused the login: ${err.message}. Check the user and password in the URL.`);
      case '3D000':
        return new StorageError(`${where}: ${err.message}. Create it first (createdb <name>), or point the URL at an existing database.`);
      case 'ERR_INVALID_URL':
        // node-postgres parses the URL only when it connects; a malformed one is the user's typo, not a bug.
        return new StorageError(`Cannot connect to ${where}: the URL is malformed (${err.message}). Write it as postgres://USER:PASSWORD@HOST:PORT/DATABASE.`);
      case '42501':
        return new StorageError(`${where}: ${err.message}. The user needs CREATE on the schema (to make the tables once) and read/write on them.`);
      default:
        if (err instanceof Error && /timeout/i.test(err.message) && err.code === undefined) return new StorageError(`Cannot connect to ${where}: ${err.message}.`);
        return err instanceof Error ? err : new StorageError(String(e));
    }
  }
}

/** Connects to the PostgreSQL study storage at a `postgres://` or `postgresql://` URL, creating the schema on first use. */
export function openPostgresStorage(url: string, options?: PostgresStorageOptions): Promise<PostgresStorage> {
  return PostgresStorage.open(url, options);
}

/** The URL with its password replaced by `***`, for messages. */
function redact(url: string): string {
  try {
    const u = new URL(url);
    if (u.password !== '') u.password = '***';
    return u.toString();
  } catch {
    // Up to the last '@': a password may hold one, and hiding too much is the safe side.
    return url.replace(/(\/\/[^:/@]*:).*@/, '$1***@');
  }
}

async function loadTrial(c: pg.PoolClient, row: TrialRow): Promise<Trial> {
  const values = (await c.query<ValueRow>('SELECT * FROM trial_values WHERE trial_id = $1 ORDER BY step', [row.id])).rows;
  return toTrial(row, values.map(toValue));
}

function ms(d: Date | null): number | null {
  return d === null ? null : d.getTime();
}

function toStudy(row: StudyRow): Study {
  return { id: row.id, name: row.name, direction: row.direction, config: row.config as StudyConfig, createdAt: row.created_at.getTime() };
}

function toValue(v: ValueRow): IntermediateValue {
  return { step: v.step, value: v.value, extra: v.extra ?? null };
}

function toTrial(row: TrialRow, intermediate: IntermediateValue[]): Trial {
  return {
    id: row.id,
    studyId: row.study_id,
    number: row.number,
    key: row.key,
    params: row.params as TrialParams,
    state: row.state,
    value: row.value,
    result: row.result ?? null,
    reason: row.reason,
    owner: row.owner_pid === null || row.owner_host === null ? null : { pid: row.owner_pid, hostname: row.owner_host },
    heartbeatAt: ms(row.heartbeat_at),
    attempt: row.attempt,
    createdAt: row.created_at.getTime(),
    startedAt: ms(row.started_at),
    finishedAt: ms(row.finished_at),
    intermediate,
  };
}
