/**
 * The ask/tell service: {@link LambdaService} over a study storage, the one implementation every
 * door (TypeScript, `l2lab ask|report|tell|best`, the HTTP API, the Python client) calls.
 */
import { penaltyValue } from '../conventions/index.js';
import { openStorage, StudyConfigMismatchError, TrialAlreadyFinishedError, TrialNotOwnedError, DEFAULT_STORAGE, type Study, type StudyStorage, type Trial, type TrialOwner } from '../study/index.js';
import { checkStudyName } from '../study/checks.js';
import { STRATEGY_REGISTRY } from '../tune/strategies.js';
import { trialKey } from '../tune/trials/study-run.js';
import type { Proposal, ProposedTrial } from '../tune/propose.js';
import { bestAnswer } from './best.js';
import { checkClientId, checkReport, checkTell } from './checks.js';
import { assertSameContext, contextOfConfig, resolveContext, studyConfigOf, toSeed, unitsOf, type ResolvedContext } from './context.js';
import { ProtocolError } from './errors.js';
import { checkHeartbeatTimeout, holderOf, lapsed, leaseMs, replaceLapsed, storedLeaseMs, wasReplaced } from './lease.js';
import { normWarning } from './norm-check.js';
import type { AskedTrial, BestAnswer, LambdaService, NoTrial, ReportAnswer, ReportRequest, StudyContext, TellAnswer, TellRequest } from './protocol.js';
import { pruneAnswer, trialTimescaleOf } from './prune.js';
import { bestCurve, reportExtra, reportsOf, trialResultOf, type Report } from './reports.js';

/** Options of {@link openLambdaService}. */
export interface LambdaServiceOptions {
  /** Study storage: a SQLite path, a `postgres://` URL (any number of processes on any hosts), or an open storage (left open by close()). Default ./l2lab.db. */
  storage?: string | StudyStorage;
  /**
   * Seconds without a report after which a handed-out trial goes back to the pool, in (0, 86 400].
   * Recorded on each study this service asks for; report and tell read the study's. Default: the
   * study's recorded value, 600 for a new study.
   */
  heartbeatTimeout?: number;
}

/** Rounds of claim → propose → create an ask makes before answering wait: each lost round is another process taking what this one proposed. */
const ASK_ROUNDS = 8;

/** The longest wait an answer `wait` suggests, in seconds. */
const MAX_RETRY_AFTER_S = 10;

/**
 * Opens the ask/tell service: λ for a training loop l2lab does not run (PyTorch, Keras, JAX,
 * TensorFlow.js). The first `ask` of a study gives the loop's context (the framework convention,
 * m, batch size, optimizer, learning rate, epochs) and creates the study in the same store and
 * trial schema as `tune`, so `l2lab studies`, `show` and the dashboard read it. Each `ask` hands out
 * a trial: λ in the seed convention and `value` in the framework's units, τ at that λ and the first
 * epoch `report` may prune it at. `report` stores one epoch and answers whether to stop (the median
 * rule, only once λ acted); `tell` ends the trial; `best` gives λ_min (λ_1se with repeats) in both
 * units with the noise reading. Every misuse is a {@link ProtocolError} or an `InvalidOptionError`
 * with a stable code, and changes nothing stored.
 *
 * @example
 * import { openLambdaService } from 'l2lab';
 * const service = await openLambdaService({ storage: './l2lab.db' });
 * const context = { convention: 'pytorch', m: 6400, batch_size: 128, optimizer: 'momentum', lr: 0.1, momentum: 0.9, epochs: 20 } as const;
 * for (;;) {
 *   const t = await service.ask('mlp-wd', { context, client_id: 'worker-1' });
 *   if (t.trial === null) break; // t.status 'done' (or 'wait': ask again after t.retry_after s)
 *   // … train with weight_decay = t.value for t.epochs epochs, each epoch:
 *   //   if ((await service.report('mlp-wd', { trial: t.trial, epoch, val_loss })).prune) { tell pruned; break }
 *   await service.tell('mlp-wd', { trial: t.trial, val_loss: finalValLoss });
 * }
 * console.log(await service.best('mlp-wd'));
 * await service.close();
 */
export async function openLambdaService(options: LambdaServiceOptions = {}): Promise<LambdaStudies> {
  const timeout = checkHeartbeatTimeout(options.heartbeatTimeout);
  const storage = typeof options.storage === 'string' || options.storage === undefined ? await openStorage(options.storage ?? DEFAULT_STORAGE) : options.storage;
  return new LambdaStudies(storage, typeof options.storage !== 'object', timeout);
}

/** The service's studies; see {@link openLambdaService}. */
export class LambdaStudies implements LambdaService {
  constructor(
    readonly storage: StudyStorage,
    private readonly ownsStorage: boolean,
    private readonly heartbeatTimeout?: number,
  ) {}

  /** A trial to train, or why there is none now (`done`, `wait`). The first ask of a study needs `context`; a later one that gives it must give the same. */
  async ask(name: string, request: { context?: StudyContext; client_id?: string } = {}): Promise<AskedTrial | NoTrial> {
    const clientId = checkClientId(request.client_id);
    const { study, ctx } = await this.openStudy(name, request.context);
    const ms = await leaseMs(this.storage, study, this.heartbeatTimeout);
    const holder = holderOf(clientId);
    for (let round = 0; round < ASK_ROUNDS; round++) {
      const trials = await this.storage.listTrials(study.id);
      const own = clientId === undefined ? undefined : trials.find((t) => t.state === 'RUNNING' && t.owner?.hostname === holder.hostname);
      if (own) {
        const back = await this.resume(own, holder);
        if (back) return handOut(name, ctx, back, true);
        continue;
      }
      await replaceLapsed(this.storage, ctx, study, trials, ms, holder.hostname);
      // Infinity: a RUNNING trial is never taken over in place; a lapsed one was replaced above.
      const claimed = await this.storage.claimTrial(study.id, { owner: holder, staleAfterMs: Infinity });
      if (claimed) return handOut(name, ctx, claimed, false);
      const proposal = await this.propose(ctx, await this.storage.listTrials(study.id));
      if ('wait' in proposal) return { study: name, trial: null, status: 'wait', reason: proposal.wait, retry_after: retryAfter(trials, ms) };
      if ('done' in proposal) return { study: name, trial: null, status: 'done', reason: proposal.done };
      await this.storage.createTrials(study.id, proposal.trials.map(specOf));
    }
    return { study: name, trial: null, status: 'wait', reason: `other processes took every trial proposed in ${ASK_ROUNDS} rounds`, retry_after: 1 };
  }

  /** Stores one epoch of a handed-out trial and answers whether to stop it (exits 0 either way in the CLI). Repeating the last report exactly answers again without storing. */
  async report(name: string, request: ReportRequest): Promise<ReportAnswer> {
    const r = checkReport(request);
    const { study, ctx } = await this.loadStudy(name);
    const trials = await this.storage.listTrials(study.id);
    const trial = await this.heldTrial(name, study, trials, r.trial, 'report');
    const reports = reportsOf(trial);
    const last = reports[reports.length - 1];
    const report: Report = { epoch: r.epoch, val_loss: r.val_loss, ...(r.train_loss !== undefined ? { train_loss: r.train_loss } : {}), ...(r.weight_sq_norm !== undefined ? { weight_sq_norm: r.weight_sq_norm } : {}) };
    const repeat = last !== undefined && JSON.stringify(last) === JSON.stringify(report);
    if (last !== undefined && !repeat && r.epoch <= last.epoch) {
      const what = r.epoch === last.epoch ? `epoch ${r.epoch} was already reported, with ${JSON.stringify(last)}` : `epoch ${r.epoch} comes after epoch ${last.epoch} was reported`;
      throw new ProtocolError('EPOCH_BACKWARDS', `Trial ${r.trial} of study '${name}': ${what}. Epochs only go forward; a restarted loop asks again with its --client-id, which hands the trial back with its reports cleared.`);
    }
    const all = repeat ? reports : [...reports, report];
    if (!repeat) await this.store(name, ctx, trial, report);
    const warning = normWarning(ctx, trial, all, trials);
    return { ...pruneAnswer(ctx, trial, all, trials), ...(warning ? { warning } : {}) };
  }

  /** Ends a handed-out trial: COMPLETE with its final validation loss, or PRUNED / FAIL (with a reason). A second tell is refused. */
  async tell(name: string, request: TellRequest): Promise<TellAnswer> {
    const r = checkTell(request);
    const { study, ctx } = await this.loadStudy(name);
    const trial = await this.heldTrial(name, study, await this.storage.listTrials(study.id), r.trial, 'tell');
    const reports = reportsOf(trial);
    const best = bestCurve(reports).at(-1);
    const complete = 'val_loss' in r;
    const state = complete ? 'COMPLETE' : r.state === 'pruned' ? 'PRUNED' : 'FAIL';
    const value = complete ? r.val_loss : state === 'PRUNED' && best !== undefined && Number.isFinite(best) ? best : null;
    const reason = complete ? undefined : (r.reason ?? (state === 'PRUNED' ? 'pruned by its training loop' : 'failed in its training loop'));
    const result = trialResultOf(trial.params.lambda, ctx.plan.timescale(trial.params.lambda), complete ? r.val_loss : NaN, reports);
    await this.guarded(name, trial, () => this.storage.finishTrial(trial.id, state, { ...(value !== null ? { value } : {}), result, ...(reason ? { reason } : {}), attempt: trial.attempt }));
    return { study: name, trial: trial.number, state, value };
  }

  /** λ_min (λ_1se where a λ was evaluated more than once) in both units, with the noise reading; reads only. */
  async best(name: string): Promise<BestAnswer> {
    const { study, ctx } = await this.loadStudy(name);
    return bestAnswer(name, ctx, await this.storage.listTrials(study.id));
  }

  /** Closes the storage when this service opened it. */
  async close(): Promise<void> {
    if (this.ownsStorage) await this.storage.close();
  }

  /** The study and its context: created by the first ask (which needs the context), checked against a later ask's. */
  private async openStudy(name: string, context: StudyContext | undefined): Promise<{ study: Study; ctx: ResolvedContext }> {
    checkStudyName(name);
    const given = context === undefined ? undefined : resolveContext(context);
    const stored = await this.storage.getStudy(name);
    if (stored) {
      const ctx = contextOfConfig(name, stored.config);
      if (given) assertSameContext(name, ctx, given);
      return { study: stored, ctx };
    }
    if (!given) throw await this.noStudy(name, ' The first ask of a study gives the context of your loop (--convention, --m, --batch-size, --optimizer, --lr, --epochs) and creates it.');
    try {
      return { study: (await this.storage.createStudy(name, studyConfigOf(given))).value, ctx: given };
    } catch (e) {
      // Another process created it at the same moment, with another context.
      if (!(e instanceof StudyConfigMismatchError)) throw e;
      return this.openStudy(name, context);
    }
  }

  /** An existing study made by ask, with its context. */
  private async loadStudy(name: string): Promise<{ study: Study; ctx: ResolvedContext }> {
    checkStudyName(name);
    const study = await this.storage.getStudy(name);
    if (!study) throw await this.noStudy(name, '');
    return { study, ctx: contextOfConfig(name, study.config) };
  }

  private async noStudy(name: string, hint: string): Promise<ProtocolError> {
    const names = (await this.storage.listStudies()).map((s) => s.name);
    return new ProtocolError('STUDY_NOT_FOUND', `No study '${name}' in ${this.storage.location}.${hint} ${names.length ? `Studies there: ${names.join(', ')}.` : 'It has no studies yet.'}`);
  }

  /** The trial `number` if it is handed out and its lease holds; otherwise the error that says what to do. */
  private async heldTrial(name: string, study: Study, trials: readonly Trial[], number: number, call: string): Promise<Trial> {
    const t = trials.find((x) => x.number === number);
    if (!t || t.state === 'WAITING') {
      const numbers = trials.filter((x) => x.state !== 'WAITING').map((x) => x.number);
      throw new ProtocolError('TRIAL_NOT_FOUND', `Study '${name}' has no trial ${number} handed out${numbers.length ? ` (handed out: ${numbers.length <= 8 ? numbers.join(', ') : `${numbers[0]}–${numbers[numbers.length - 1]}`})` : ''}. ${call === 'report' ? 'Report' : 'Tell'} only a trial ask gave you.`);
    }
    const ms = await storedLeaseMs(this.storage, study.id);
    if (wasReplaced(t) || lapsed(t, ms)) throw lapsedError(name, t, ms);
    if (t.state !== 'RUNNING') {
      throw new ProtocolError('TRIAL_FINISHED', `Trial ${number} of study '${name}' was already told: ${t.state}${t.value !== null ? ` with ${t.value}` : ''}${t.reason ? ` (${t.reason})` : ''}. A told trial never changes: ask for another.`);
    }
    return t;
  }

  /** Writes one report: the intermediate value (guarded by the trial's attempt) and the epoch record the dashboard follows. */
  private async store(name: string, ctx: ResolvedContext, trial: Trial, r: Report): Promise<void> {
    await this.guarded(name, trial, () => this.storage.reportIntermediate(trial.id, r.epoch, r.val_loss, reportExtra(r), { attempt: trial.attempt }));
    const norm = r.weight_sq_norm ?? null;
    const penalty = norm === null ? null : penaltyValue(ctx.plan.convention, trial.params.lambda, norm, unitsOf(ctx.plan));
    await this.storage.reportEpochs([{ trialId: trial.id, member: 0, epoch: r.epoch, trainLoss: r.train_loss ?? null, valLoss: r.val_loss, valAccuracy: null, penalty, sumSquares: norm }]);
  }

  /** Runs a guarded write; a trial settled meanwhile by another process (replaced, told) gives the protocol's error. */
  private async guarded<T>(name: string, trial: Trial, write: () => Promise<T>): Promise<T> {
    try {
      return await write();
    } catch (e) {
      if (e instanceof TrialNotOwnedError || e instanceof TrialAlreadyFinishedError) {
        const now = (await this.storage.getTrial(trial.id))!;
        throw wasReplaced(now) ? lapsedError(name, now, await storedLeaseMs(this.storage, trial.studyId)) : new ProtocolError('TRIAL_FINISHED', `Trial ${trial.number} of study '${name}' was told meanwhile (${now.state}). A told trial never changes: ask for another.`);
      }
      throw e;
    }
  }

  /** The asking client's own unfinished trial, handed back: with no report yet as it is (a retried ask), else claimed anew with its reports cleared (a restarted loop starts over). */
  private async resume(own: Trial, holder: TrialOwner): Promise<Trial | null> {
    if (own.intermediate.length === 0) {
      await this.storage.heartbeat(own.id, { attempt: own.attempt }).catch((e: unknown) => {
        if (!(e instanceof TrialNotOwnedError || e instanceof TrialAlreadyFinishedError)) throw e;
      });
      return this.storage.getTrial(own.id).then((t) => (t?.state === 'RUNNING' && t.attempt === own.attempt ? t : null));
    }
    // The claim takes a RUNNING trial whose heartbeat is older than 0 ms: not within the millisecond of its last report.
    if (own.heartbeatAt !== null && Date.now() <= own.heartbeatAt) await new Promise((r) => setTimeout(r, 2));
    return this.storage.claimTrial(own.studyId, { trialId: own.id, owner: holder, staleAfterMs: 0 });
  }

  /** The strategy's next trials, from the registry's proposer (lapsed trials handed out again left out). */
  private async propose(ctx: ResolvedContext, trials: readonly Trial[]): Promise<Proposal> {
    const propose = STRATEGY_REGISTRY[ctx.strategy].propose!;
    return propose({ trials: trials.filter((t) => !wasReplaced(t)), range: ctx.range, lambdas: ctx.lambdas, repeats: ctx.repeats, maxTrials: ctx.trials, plan: ctx.plan });
  }
}

/** A proposed trial as stored: tune's key and params, plus the epochs it trains. */
function specOf(p: ProposedTrial): { params: Trial['params']; key: string } {
  const extra = { ...(p.rung !== undefined ? { rung: p.rung } : {}), ...(p.repeat !== undefined ? { repeat: p.repeat } : {}) };
  return { params: { lambda: p.lambda, dropout: 0, ...extra, epochs: p.epochs }, key: trialKey({ lambda: p.lambda, dropout: 0 }, extra) };
}

/** A stored trial as ask hands it out. */
function handOut(name: string, ctx: ResolvedContext, t: Trial, resumed: boolean): AskedTrial {
  const value = t.params.lambda;
  const epochs = typeof t.params.epochs === 'number' ? t.params.epochs : ctx.plan.epochBudget;
  const ts = trialTimescaleOf(ctx, value);
  return {
    study: name,
    trial: t.number,
    lambda: toSeed(ctx, value),
    convention: ctx.plan.convention,
    value,
    tau_epochs: ts.tau,
    ...(ts.tauNote ? { tau_note: ts.tauNote } : {}),
    prune_from_epoch: ts.pruneFrom !== null && ts.pruneFrom <= epochs ? ts.pruneFrom : null,
    epochs,
    ...(typeof t.params.rung === 'number' ? { rung: t.params.rung } : {}),
    ...(typeof t.params.repeat === 'number' ? { repeat: t.params.repeat } : {}),
    ...(resumed ? { resumed } : {}),
  };
}

/** Seconds until asking again may find a trial: the soonest lease among the running trials to lapse, between 1 and MAX_RETRY_AFTER_S. */
function retryAfter(trials: readonly Trial[], ms: number): number {
  const now = Date.now();
  const soonest = Math.min(...trials.filter((t) => t.state === 'RUNNING' && t.heartbeatAt !== null).map((t) => (t.heartbeatAt! + ms - now) / 1000));
  return Math.max(1, Math.min(MAX_RETRY_AFTER_S, Math.ceil(soonest)));
}

function lapsedError(name: string, t: Trial, ms: number): ProtocolError {
  return new ProtocolError(
    'LEASE_EXPIRED',
    `Trial ${t.number} of study '${name}' went without a report for longer than the heartbeat timeout (${ms / 1000} s), so it went back to the pool${t.state === 'FAIL' && t.reason ? ` (${t.reason})` : ''}. Stop training it: ask for a trial (the same --client-id gets its own back while no one else took it), and raise --heartbeat-timeout above your longest epoch.`,
  );
}
