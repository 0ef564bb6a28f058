/** StudyStorage on one SQLite file (better-sqlite3): WAL, a busy timeout, and one immediate transaction per state change. */
import fs from 'node:fs';
import Database from 'better-sqlite3';
import { L2labError } from '../../errors.js';
import {
  assertWritable,
  checkAttrKey,
  checkDirection,
  checkHeartbeatTimeout,
  checkId,
  checkStates,
  checkStep,
  checkStudyName,
  checkValue,
  checkAttempt,
  checkAfter,
  checkMax,
  checkStaleAfter,
  epochRows,
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
import { withStatementCache } from './statement-cache.js';
import { canonicalJson, parseJson, type Json } from '../json.js';
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
import { addEpochsTable, createSchema, inspectDatabase, lacksEpochsTable } from './schema.js';

/** Options of {@link SqliteStorage}. */
export interface SqliteStorageOptions extends StorageOptions {
  /**
   * How long a write waits for another process's write lock before failing, in ms (SQLite's
   * `busy_timeout`). Default 30 000. Writes take the lock up front (`BEGIN IMMEDIATE`), so waiting
   * is all that ever happens — no lock-upgrade deadlocks.
   */
  busyTimeoutMs?: number;
  /**
   * Open only a file that exists: a missing one is a StorageError naming the path, and no file is
   * created (commands that only read, so a typo in --storage leaves no empty store behind). Default false.
   */
  mustExist?: boolean;
}

interface StudyRow {
  id: number;
  name: string;
  direction: Direction;
  config: string;
  created_at: number;
}

interface EpochRow {
  seq: number;
  trial_id: number;
  member: number;
  epoch: number;
  train_loss: number | null;
  val_loss: number | null;
  val_accuracy: number | null;
  penalty: number | null;
  sum_squares: number | null;
  at: number;
}

function epochOf(r: EpochRow): TrialEpoch {
  return { trialId: r.trial_id, member: r.member, epoch: r.epoch, trainLoss: r.train_loss, valLoss: r.val_loss, valAccuracy: r.val_accuracy, penalty: r.penalty, sumSquares: r.sum_squares, at: r.at, seq: r.seq };
}

interface TrialRow {
  id: number;
  study_id: number;
  number: number;
  key: string;
  params: string;
  state: TrialState;
  value: number | null;
  result: string | null;
  reason: string | null;
  owner_pid: number | null;
  owner_host: string | null;
  heartbeat_at: number | null;
  attempt: number;
  created_at: number;
  started_at: number | null;
  finished_at: number | null;
}

interface ValueRow {
  trial_id: number;
  step: number;
  value: number;
  extra: string | null;
}

/**
 * A study storage in one SQLite file, shared safely by processes on one machine.
 *
 * - `journal_mode=WAL`: readers never block the writer, and a process killed mid-write leaves the
 *   last committed state (the WAL is replayed or discarded on next open).
 * - `synchronous=FULL`: a committed trial survives a power cut too (trials last minutes; the fsync is free).
 * - Every state change (or pass of them: `createTrials`, `claimTrials`, `finishTrials`) is one `BEGIN IMMEDIATE` transaction: the write lock is taken before any
 *   read, so two writers queue on `busy_timeout` instead of deadlocking on a lock upgrade
 *   (the cause of Optuna's "database is locked" errors).
 * - `foreign_keys=ON`: deleting a study deletes its trials, values and attributes.
 *
 * Use `:memory:` for a private, throwaway database (tests). Not for network file systems (NFS):
 * use PostgreSQL to share a study between machines.
 *
 * @example const storage = openSqliteStorage('./l2lab.db');
 */
export class SqliteStorage implements StudyStorage {
  readonly location: string;
  private readonly db: Database.Database;
  readonly heartbeatTimeoutMs: number;
  readonly shared: boolean;
  private readonly here = workerHost();
  private closed = false;

  constructor(path: string, options: SqliteStorageOptions = {}) {
    this.location = path === ':memory:' ? 'an in-memory SQLite database' : `SQLite file ${path}`;
    this.heartbeatTimeoutMs = checkHeartbeatTimeout(options);
    this.shared = path !== ':memory:';
    const busy = options.busyTimeoutMs ?? 30_000;
    if (!Number.isFinite(busy) || busy < 0) throw new StorageError(`The 'busyTimeoutMs' option of the SQLite storage must be a number in [0, ∞). Got ${String(busy)} instead.`);
    if (options.mustExist === true && path !== ':memory:' && !fs.existsSync(path)) {
      throw new StorageError(`No study store at ${path}: the file does not exist. Check the --storage path, or run 'l2lab tune … --storage ${path}' to create one there.`);
    }
    try {
      // fileMustExist too: a file removed since the check is not re-created.
      this.db = withStatementCache(new Database(path, { fileMustExist: options.mustExist === true }));
    } catch (e) {
      throw new StorageError(`Cannot open ${this.location}: ${(e as Error).message}. Check that its folder exists and is writable, or pass another --storage path.`);
    }
    try {
      this.db.pragma(`busy_timeout = ${Math.round(busy)}`);
      const status = inspectDatabase(this.db, this.location); // reads only: a foreign file is left untouched
      this.db.pragma('journal_mode = WAL');
      this.db.pragma('synchronous = FULL');
      this.db.pragma('foreign_keys = ON');
      if (status === 'empty') this.db.transaction(() => createSchema(this.db)).immediate();
      else if (lacksEpochsTable(this.db)) this.db.transaction(() => addEpochsTable(this.db)).immediate();
    } catch (e) {
      this.db.close();
      throw this.wrap(e);
    }
  }

  async createStudy(name: string, config: StudyConfig, options?: CreateStudyOptions): Promise<Created<Study>> {
    checkStudyName(name);
    const direction = checkDirection(options?.direction);
    const text = configText(config);
    return this.write(() => {
      const existing = this.db.prepare('SELECT * FROM studies WHERE name = ?').get(name) as StudyRow | undefined;
      if (existing !== undefined) {
        if (canonicalJson(parseJson(existing.config), 'config') !== text || existing.direction !== direction) {
          throw configMismatch(name, this.location, { config: parseJson(existing.config), direction: existing.direction }, { config: parseJson(text), direction });
        }
        return { value: toStudy(existing), created: false };
      }
      const info = this.db.prepare('INSERT INTO studies (name, direction, config, created_at) VALUES (?, ?, ?, ?)').run(name, direction, text, Date.now());
      return { value: toStudy(this.db.prepare('SELECT * FROM studies WHERE id = ?').get(info.lastInsertRowid) as StudyRow), created: true };
    });
  }

  async getStudy(name: string): Promise<Study | null> {
    checkStudyName(name);
    return this.read(() => {
      const row = this.db.prepare('SELECT * FROM studies WHERE name = ?').get(name) as StudyRow | undefined;
      return row === undefined ? null : toStudy(row);
    });
  }

  async listStudies(): Promise<StudySummary[]> {
    return this.read(() => {
      const studies = (this.db.prepare('SELECT * FROM studies ORDER BY id').all() as StudyRow[]).map(toStudy);
      const counts = this.db.prepare('SELECT study_id, state, COUNT(*) AS n FROM trials GROUP BY study_id, state').all() as { study_id: number; state: TrialState; n: number }[];
      const best = {
        minimize: this.db.prepare("SELECT id, value FROM trials WHERE study_id = ? AND state = 'COMPLETE' AND value IS NOT NULL ORDER BY value ASC, number ASC LIMIT 1"),
        maximize: this.db.prepare("SELECT id, value FROM trials WHERE study_id = ? AND state = 'COMPLETE' AND value IS NOT NULL ORDER BY value DESC, number ASC LIMIT 1"),
      };
      return studies.map((s): StudySummary => {
        const trialCounts = emptyCounts();
        for (const c of counts) if (c.study_id === s.id) trialCounts[c.state] = c.n;
        const b = best[s.direction].get(s.id) as { id: number; value: number } | undefined;
        return { ...s, trialCounts, bestValue: b?.value ?? null, bestTrialId: b?.id ?? null };
      });
    });
  }

  async deleteStudy(studyId: number): Promise<void> {
    checkId(studyId, 'study');
    this.write(() => {
      if (this.db.prepare('DELETE FROM studies WHERE id = ?').run(studyId).changes === 0) throw noStudy(studyId, this.location);
    });
  }

  async createTrial(studyId: number, params: TrialParams, key?: string): Promise<Created<Trial>> {
    return (await this.createTrials(studyId, [{ params, key }]))[0];
  }

  async createTrials(studyId: number, trials: readonly TrialSpec[]): Promise<Created<Trial>[]> {
    checkId(studyId, 'study');
    const specs = trials.map((t) => paramsAndKey(t.params, t.key));
    return this.write(() => {
      this.requireStudy(studyId);
      return specs.map(({ paramsText, key: k }) => {
        const existing = this.db.prepare('SELECT * FROM trials WHERE study_id = ? AND key = ?').get(studyId, k) as TrialRow | undefined;
        if (existing !== undefined) {
          if (existing.params !== paramsText) throw keyClash(k, existing.params, paramsText);
          return { value: this.loadTrial(existing), created: false };
        }
        const next = this.db.prepare('SELECT COALESCE(MAX(number) + 1, 0) FROM trials WHERE study_id = ?').pluck().get(studyId) as number;
        const info = this.db
          .prepare("INSERT INTO trials (study_id, number, key, params, state, attempt, created_at) VALUES (?, ?, ?, ?, 'WAITING', 0, ?)")
          .run(studyId, next, k, paramsText, Date.now());
        return { value: this.loadTrial(this.trialRow(Number(info.lastInsertRowid))!), created: true };
      });
    });
  }

  async getTrial(trialId: number): Promise<Trial | null> {
    return (await this.getTrials([trialId]))[0];
  }

  async getTrials(trialIds: readonly number[]): Promise<(Trial | null)[]> {
    for (const id of trialIds) checkId(id, 'trial');
    return this.read(() =>
      trialIds.map((id) => {
        const row = this.trialRow(id);
        return row === undefined ? null : this.loadTrial(row);
      }),
    );
  }

  async listTrials(studyId: number, filter?: { state?: TrialState | readonly TrialState[] }): Promise<Trial[]> {
    checkId(studyId, 'study');
    const states = checkStates(filter);
    return this.read(() => {
      this.requireStudy(studyId);
      let rows = this.db.prepare('SELECT * FROM trials WHERE study_id = ? ORDER BY number').all(studyId) as TrialRow[];
      if (states !== undefined) rows = rows.filter((r) => states.includes(r.state));
      const values = this.db
        .prepare('SELECT v.* FROM trial_values v JOIN trials t ON t.id = v.trial_id WHERE t.study_id = ? ORDER BY v.trial_id, v.step')
        .all(studyId) as ValueRow[];
      const byTrial = new Map<number, IntermediateValue[]>();
      for (const v of values) {
        let list = byTrial.get(v.trial_id);
        if (list === undefined) byTrial.set(v.trial_id, (list = []));
        list.push(toValue(v));
      }
      return rows.map((r) => toTrial(r, byTrial.get(r.id) ?? []));
    });
  }

  async claimTrial(studyId: number, options?: ClaimOptions): Promise<Trial | null> {
    checkId(studyId, 'study');
    const { trialId, owner, staleAfterMs } = claimSettings(options, this.heartbeatTimeoutMs, currentOwner());
    return this.write(() => {
      this.requireStudy(studyId);
      return this.claimOne(studyId, trialId, owner, staleAfterMs);
    });
  }

  async claimTrials(studyId: number, trialIds: readonly number[], options?: Omit<ClaimOptions, 'trialId'> & { max?: number }): Promise<Trial[]> {
    checkId(studyId, 'study');
    for (const id of trialIds) checkId(id, 'trial');
    const { owner, staleAfterMs } = claimSettings(options, this.heartbeatTimeoutMs, currentOwner());
    const max = checkMax(options?.max);
    return this.write(() => {
      this.requireStudy(studyId);
      const claimed: Trial[] = [];
      for (const id of trialIds) {
        if (claimed.length >= max) break;
        const t = this.claimOne(studyId, id, owner, staleAfterMs);
        if (t !== null) claimed.push(t);
      }
      return claimed;
    });
  }

  async liveWorkers(studyId: number, options?: Pick<ClaimOptions, 'staleAfterMs'>): Promise<TrialOwner[]> {
    checkId(studyId, 'study');
    const staleAfterMs = checkStaleAfter(options?.staleAfterMs, this.heartbeatTimeoutMs, 'liveWorkers');
    const since = Number.isFinite(staleAfterMs) ? Date.now() - staleAfterMs : 0;
    return this.read(() => {
      this.requireStudy(studyId);
      const owners = this.db
        .prepare('SELECT DISTINCT owner_pid AS pid, owner_host AS hostname FROM trials WHERE study_id = ? AND owner_pid IS NOT NULL AND heartbeat_at >= ? ORDER BY owner_host, owner_pid')
        .all(studyId, since) as TrialOwner[];
      return owners.filter((o) => !isOwnerDeadHere(o, this.here));
    });
  }

  async heartbeat(trialId: number, guard?: OwnershipGuard): Promise<void> {
    checkId(trialId, 'trial');
    const attempt = checkAttempt(guard?.attempt);
    this.write(() => {
      assertWritable(this.requireTrial(trialId), 'send a heartbeat', attempt);
      this.db.prepare('UPDATE trials SET heartbeat_at = ? WHERE id = ?').run(Date.now(), trialId);
    });
  }

  async reportIntermediate(trialId: number, step: number, value: number, extra?: Json, guard?: OwnershipGuard): Promise<void> {
    checkId(trialId, 'trial');
    checkStep(step);
    checkValue(value, 'reportIntermediate');
    const extraText = extra === undefined || extra === null ? null : canonicalJson(extra, 'extra');
    const attempt = checkAttempt(guard?.attempt);
    this.write(() => {
      assertWritable(this.requireTrial(trialId), `report step ${step}`, attempt);
      this.db
        .prepare('INSERT INTO trial_values (trial_id, step, value, extra) VALUES (?, ?, ?, ?) ON CONFLICT (trial_id, step) DO UPDATE SET value = excluded.value, extra = excluded.extra')
        .run(trialId, step, value, extraText);
      this.db.prepare('UPDATE trials SET heartbeat_at = ? WHERE id = ?').run(Date.now(), trialId);
    });
  }

  async finishTrial(trialId: number, state: FinishedState, outcome?: FinishOptions): Promise<Trial> {
    return (await this.finishTrials([{ trialId, state, outcome }]))[0];
  }

  async finishTrials(finishes: readonly TrialFinish[]): Promise<Trial[]> {
    const checked = finishes.map((f) => ({ trialId: checkId(f.trialId, 'trial'), ...finishSettings(f.state, f.outcome) }));
    return this.write(() => {
      const now = Date.now();
      const update = this.db.prepare('UPDATE trials SET state = ?, value = ?, result = ?, reason = ?, finished_at = ?, heartbeat_at = ? WHERE id = ?');
      return checked.map((f) => {
        assertWritable(this.requireTrial(f.trialId), `finish it as ${f.state}`, f.attempt);
        update.run(f.state, f.value, f.resultText, f.reason, now, now, f.trialId);
        return this.loadTrial(this.trialRow(f.trialId)!);
      });
    });
  }

  async reportEpochs(records: readonly TrialEpochInput[]): Promise<void> {
    const rows = epochRows(records);
    if (rows.length === 0) return;
    this.write(() => {
      const now = Date.now();
      for (const id of new Set(rows.map((r) => r.trialId))) assertWritable(this.requireTrial(id), 'report epochs', undefined);
      // REPLACE deletes a rewritten epoch's row and inserts a new one, so it gets a new seq.
      const put = this.db.prepare('INSERT OR REPLACE INTO trial_epochs (trial_id, member, epoch, train_loss, val_loss, val_accuracy, penalty, sum_squares, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)');
      for (const r of rows) put.run(r.trialId, r.member, r.epoch, r.trainLoss, r.valLoss, r.valAccuracy, r.penalty, r.sumSquares, now);
    });
  }

  async listEpochs(studyId: number, options?: { after?: number }): Promise<TrialEpoch[]> {
    checkId(studyId, 'study');
    const after = checkAfter(options?.after);
    return this.read(() => {
      this.requireStudy(studyId);
      const rows = this.db
        .prepare('SELECT e.* FROM trial_epochs e JOIN trials t ON t.id = e.trial_id WHERE t.study_id = ? AND e.seq > ? ORDER BY e.seq')
        .all(studyId, after) as EpochRow[];
      return rows.map(epochOf);
    });
  }

  async setStudyAttr(studyId: number, key: string, value: Json): Promise<void> {
    checkId(studyId, 'study');
    checkAttrKey(key);
    const text = canonicalJson(value, `study attribute '${key}'`);
    this.write(() => {
      this.requireStudy(studyId);
      this.db.prepare('INSERT INTO study_attrs (study_id, key, value) VALUES (?, ?, ?) ON CONFLICT (study_id, key) DO UPDATE SET value = excluded.value').run(studyId, key, text);
    });
  }

  async swapStudyAttr(studyId: number, key: string, expected: Json | undefined, value: Json): Promise<boolean> {
    checkId(studyId, 'study');
    checkAttrKey(key);
    const want = expected === undefined ? undefined : canonicalJson(expected, `study attribute '${key}'`);
    const text = canonicalJson(value, `study attribute '${key}'`);
    return this.write(() => {
      this.requireStudy(studyId);
      const now = this.db.prepare('SELECT value FROM study_attrs WHERE study_id = ? AND key = ?').pluck().get(studyId, key) as string | undefined;
      if (now !== want) return false;
      this.db.prepare('INSERT INTO study_attrs (study_id, key, value) VALUES (?, ?, ?) ON CONFLICT (study_id, key) DO UPDATE SET value = excluded.value').run(studyId, key, text);
      return true;
    });
  }

  async getStudyAttrs(studyId: number): Promise<Record<string, Json>> {
    checkId(studyId, 'study');
    return this.read(() => {
      this.requireStudy(studyId);
      const out: Record<string, Json> = {};
      for (const r of this.db.prepare('SELECT key, value FROM study_attrs WHERE study_id = ? ORDER BY key').all(studyId) as { key: string; value: string }[]) out[r.key] = parseJson(r.value);
      return out;
    });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.db.close();
  }

  /** Runs `fn` in one BEGIN IMMEDIATE transaction (write lock first), mapping SQLite errors. */
  private write<T>(fn: () => T): T {
    this.assertOpen();
    try {
      return this.db.transaction(fn).immediate();
    } catch (e) {
      throw this.wrap(e);
    }
  }

  /** Runs `fn` in one deferred (read) transaction: all its statements see one snapshot. */
  private read<T>(fn: () => T): T {
    this.assertOpen();
    try {
      return this.db.transaction(fn).deferred();
    } catch (e) {
      throw this.wrap(e);
    }
  }

  private assertOpen(): void {
    if (this.closed) throw new StorageError(`The storage for ${this.location} is closed.`);
  }

  private requireStudy(studyId: number): void {
    if (this.db.prepare('SELECT 1 FROM studies WHERE id = ?').get(studyId) === undefined) throw noStudy(studyId, this.location);
  }

  private trialRow(trialId: number): TrialRow | undefined {
    return this.db.prepare('SELECT * FROM trials WHERE id = ?').get(trialId) as TrialRow | undefined;
  }

  private requireTrial(trialId: number): TrialRow {
    const row = this.trialRow(trialId);
    if (row === undefined) throw noTrial(trialId, this.location);
    return row;
  }

  /**
   * Inside a write transaction: claims the lowest-numbered claimable trial of the study (only
   * `trialId` when given). The write lock is held, so checking liveness here and updating is atomic.
   */
  private claimOne(studyId: number, trialId: number | undefined, owner: TrialOwner, staleAfterMs: number): Trial | null {
    const now = Date.now();
    const candidates = (
      trialId === undefined
        ? this.db.prepare("SELECT * FROM trials WHERE study_id = ? AND state IN ('WAITING', 'RUNNING') ORDER BY number").all(studyId)
        : this.db.prepare("SELECT * FROM trials WHERE study_id = ? AND id = ? AND state IN ('WAITING', 'RUNNING')").all(studyId, trialId)
    ) as TrialRow[];
    const pick = candidates.find(
      (t) =>
        t.state === 'WAITING' ||
        (t.heartbeat_at !== null && now - t.heartbeat_at > staleAfterMs) ||
        (t.owner_host === this.here && t.owner_pid !== null && !isProcessAlive(t.owner_pid)),
    );
    if (pick === undefined) return null;
    this.db
      .prepare("UPDATE trials SET state = 'RUNNING', owner_pid = ?, owner_host = ?, heartbeat_at = ?, started_at = ?, attempt = attempt + 1 WHERE id = ?")
      .run(owner.pid, owner.hostname, now, now, pick.id);
    this.db.prepare('DELETE FROM trial_values WHERE trial_id = ?').run(pick.id);
    this.db.prepare('DELETE FROM trial_epochs WHERE trial_id = ?').run(pick.id);
    return this.loadTrial(this.trialRow(pick.id)!);
  }

  private loadTrial(row: TrialRow): Trial {
    const values = this.db.prepare('SELECT * FROM trial_values WHERE trial_id = ? ORDER BY step').all(row.id) as ValueRow[];
    return toTrial(row, values.map(toValue));
  }

  private wrap(e: unknown): Error {
    if (e instanceof L2labError) return e;
    const err = e as Error & { code?: string };
    switch (err.code) {
      case 'SQLITE_NOTADB':
        return new StorageError(`${this.location} is not an l2lab study database: it is not a SQLite file at all (${err.message}). Pass --storage a new file (e.g. --storage ./l2lab.db).`);
      case 'SQLITE_BUSY':
        return new StorageError(`${this.location} stayed locked by another process for longer than the busy timeout (${err.message}). Another l2lab is writing it; retry, or raise busyTimeoutMs.`);
      case 'SQLITE_READONLY':
        return new StorageError(`${this.location} is read-only (${err.message}). Make the file and its folder writable: SQLite writes a -wal and a -shm file next to it.`);
      case 'SQLITE_CORRUPT':
        return new StorageError(`${this.location} is damaged (${err.message}). Restore it from a copy, or start a new --storage file.`);
      case 'SQLITE_CANTOPEN':
      case 'SQLITE_IOERR':
      case 'SQLITE_FULL':
        return new StorageError(`Cannot read or write ${this.location}: ${err.message}.`);
      default:
        return err instanceof Error ? err : new StorageError(String(e));
    }
  }
}

/** Opens (creating when absent) the SQLite study storage at `path`; `:memory:` gives a private, throwaway one. */
export function openSqliteStorage(path: string, options?: SqliteStorageOptions): SqliteStorage {
  return new SqliteStorage(path, options);
}

function toStudy(row: StudyRow): Study {
  return { id: row.id, name: row.name, direction: row.direction, config: parseJson(row.config) as StudyConfig, createdAt: row.created_at };
}

function toValue(v: ValueRow): IntermediateValue {
  return { step: v.step, value: v.value, extra: v.extra === null ? null : parseJson(v.extra) };
}

function toTrial(row: TrialRow, intermediate: IntermediateValue[]): Trial {
  return {
    id: row.id,
    studyId: row.study_id,
    number: row.number,
    key: row.key,
    params: parseJson(row.params) as TrialParams,
    state: row.state,
    value: row.value,
    result: row.result === null ? null : parseJson(row.result),
    reason: row.reason,
    owner: row.owner_pid === null || row.owner_host === null ? null : { pid: row.owner_pid, hostname: row.owner_host },
    heartbeatAt: row.heartbeat_at,
    attempt: row.attempt,
    createdAt: row.created_at,
    startedAt: row.started_at,
    finishedAt: row.finished_at,
    intermediate,
  };
}
