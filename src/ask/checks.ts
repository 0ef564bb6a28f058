/** The protocol's request checks: every field of report and tell, and the client id, refused in scikit-learn's one template before anything is read or stored. */
import { InvalidOptionError } from '../errors.js';
import type { ReportRequest, TellRequest } from './protocol.js';

const isObject = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);

/** A trial number or an epoch: an integer ≥ 0. */
function count(value: unknown, field: string, call: string): number {
  if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0) return value;
  throw new InvalidOptionError(`The '${field}' of ${call} must be an integer in [0, ∞). Got ${JSON.stringify(value) ?? String(value)} instead.`);
}

/** A loss or Σθ²: finite and ≥ 0; a NaN or infinite one is a diverged trial, which is told as failed. */
function amount(value: unknown, field: string, call: string): number {
  if (typeof value === 'number' && Number.isFinite(value) && value >= 0) return value;
  const diverged = typeof value === 'number' && !Number.isFinite(value) ? ': the training diverged, so tell the trial as failed (tell --state failed --reason diverged)' : '';
  throw new InvalidOptionError(`The '${field}' of ${call} must be a finite number in [0, ∞). Got ${typeof value === 'number' ? String(value) : JSON.stringify(value)} instead${diverged}.`);
}

/** A report with every field checked (absent optional ones left out). */
export function checkReport(r: unknown): ReportRequest {
  if (!isObject(r)) throw new InvalidOptionError(`A report must be an object {trial, epoch, val_loss, [train_loss], [weight_sq_norm]}. Got ${JSON.stringify(r)} instead.`);
  return {
    trial: count(r.trial, 'trial', 'report'),
    epoch: count(r.epoch, 'epoch', 'report'),
    val_loss: amount(r.val_loss, 'val_loss', 'report'),
    ...(r.train_loss !== undefined ? { train_loss: amount(r.train_loss, 'train_loss', 'report') } : {}),
    ...(r.weight_sq_norm !== undefined ? { weight_sq_norm: amount(r.weight_sq_norm, 'weight_sq_norm', 'report') } : {}),
  };
}

/** A tell with every field checked: a final val_loss, or a state (pruned | failed) with an optional reason. */
export function checkTell(r: unknown): TellRequest {
  if (!isObject(r)) throw new InvalidOptionError(`A tell must be an object {trial, val_loss} or {trial, state: 'pruned' | 'failed', [reason]}. Got ${JSON.stringify(r)} instead.`);
  const trial = count(r.trial, 'trial', 'tell');
  if ((r.val_loss === undefined) === (r.state === undefined)) throw new InvalidOptionError(`A tell gives either val_loss (the trial completed) or state 'pruned' | 'failed', exactly one. Got ${JSON.stringify(r)} instead.`);
  if (r.val_loss !== undefined) return { trial, val_loss: amount(r.val_loss, 'val_loss', 'tell') };
  if (r.state !== 'pruned' && r.state !== 'failed') throw new InvalidOptionError(`Unknown tell state ${JSON.stringify(r.state)}. Use one of: pruned, failed.`);
  if (r.reason !== undefined && !(typeof r.reason === 'string' && r.reason.length <= 2000)) throw new InvalidOptionError(`The 'reason' of tell must be text of at most 2000 characters. Got ${JSON.stringify(r.reason)} instead.`);
  return { trial, state: r.state, ...(r.reason !== undefined ? { reason: r.reason } : {}) };
}

/** A client id: 1 to 200 printable characters, or absent. */
export function checkClientId(id: unknown): string | undefined {
  if (id === undefined) return undefined;
  if (typeof id === 'string' && id.length >= 1 && id.length <= 200 && !/[\u0000-\u001f\u007f]/.test(id)) return id;
  throw new InvalidOptionError(`The 'client_id' of ask must be 1 to 200 printable characters (e.g. the worker's hostname and GPU index). Got ${JSON.stringify(id)} instead.`);
}
