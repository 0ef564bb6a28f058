/**
 * Progress of long commands on stderr: on a terminal, one live line (trials done/total, current λ
 * and fold, epoch, elapsed, ETA) rewritten in place; elsewhere (a pipe, a log file, CI), one plain
 * line per finished trial, and that status as a plain line whenever 5 s pass without one. stdout
 * stays for the result, so `--json` output is never mixed with it.
 */
import type { ProgressEvent } from '../train/progress.js';
import { sig } from './format.js';

/** m:ss, or h:mm:ss from an hour on. */
export function clock(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  const h = Math.floor(s / 3600);
  const mm = String(Math.floor((s % 3600) / 60));
  const ss = String(s % 60).padStart(2, '0');
  return h > 0 ? `${h}:${mm.padStart(2, '0')}:${ss}` : `${mm}:${ss}`;
}

/** Longest silence without a terminal: a log shows the run is alive, and where, at least this often. */
const PLAIN_EVERY_MS = 5000;

/** Where the lines go: stderr by default; `tty` decides between the live line and plain lines. */
export interface ProgressSink {
  write(text: string): void;
  tty: boolean;
}

/** Renders progress events; call {@link ProgressLine.end} before printing the result (it clears the live line). */
export class ProgressLine {
  private done = 0;
  private total = 0;
  private trained = 0;
  /** Elapsed seconds when this process started training (after the trials read from the store). */
  private trainStart: number | undefined;
  /** The member training now; `folds` is a range when a population trains several folds at once. */
  private current: { lambda: number; dropout: number; folds: [number, number]; epoch: number } | undefined;
  private lastDraw = 0;
  private drawn = false;
  /** The last event's elapsed seconds and when it came (Date.now()), so a heartbeat line can tell the time; before any event, when this line was made. */
  private clockAt = { elapsed: 0, at: Date.now() };
  /** Without a terminal: when a line was last written, and the timer that writes one after a silence. */
  private lastLine = 0;
  private heartbeat: NodeJS.Timeout | undefined;
  /** Trials read from the store since the last line said so: consecutive batches (a resumed bayes replays one trial at a time) share one line. */
  private fromStore = 0;

  constructor(private readonly sink: ProgressSink = { write: (t) => process.stderr.write(t), tty: process.stderr.isTTY === true }) {}

  /** The callback to pass as `onProgress`. */
  readonly onProgress = (e: ProgressEvent): void => {
    this.clockAt = { elapsed: e.elapsed, at: Date.now() };
    this.start();
    if (e.kind === 'stored') {
      this.done = e.done;
      this.total = e.total;
      this.fromStore += e.fromStore;
      return;
    }
    this.sayStored();
    if (e.kind === 'epoch') {
      this.trainStart ??= e.elapsed;
      const c = this.current;
      // A population's members report the same epoch one after another: the line names their range of folds.
      const together = c !== undefined && c.lambda === e.lambda && c.dropout === e.dropout && c.epoch === e.epoch;
      this.current = { lambda: e.lambda, dropout: e.dropout, folds: together ? [Math.min(c.folds[0], e.fold), Math.max(c.folds[1], e.fold)] : [e.fold, e.fold], epoch: e.epoch };
    } else {
      this.trainStart ??= e.elapsed;
      this.done = e.done;
      this.total = e.total;
      this.trained++;
      if (!this.sink.tty) {
        this.plain(`trial ${e.done}/${e.total}: λ = ${sig(e.lambda)}${e.dropout ? `, dropout ${e.dropout}` : ''}, ${e.state === 'COMPLETE' ? `val loss ${sig(e.value!)}` : e.state === 'PRUNED' ? `pruned${e.value === null ? '' : ` at val loss ${sig(e.value)}`}` : 'failed'} (${clock(e.elapsed)} elapsed${this.eta(e.elapsed)})`);
        return;
      }
    }
    if (this.sink.tty) this.draw(e.elapsed, e.kind !== 'epoch');
  };

  /** Clears the live line so the result prints on a clean terminal line, and stops the heartbeat until the next event. */
  end(): void {
    this.sayStored();
    clearInterval(this.heartbeat);
    this.heartbeat = undefined;
    if (this.sink.tty && this.drawn) this.sink.write('\r\x1b[2K');
    this.drawn = false;
  }

  /**
   * Without a terminal, checks each second whether 5 s passed without a line, and then writes the
   * status; it never keeps the process alive. The first event starts it; call it before the work to
   * cover the set-up too (loading the data).
   */
  start(): void {
    if (this.sink.tty || this.heartbeat !== undefined) return;
    this.lastLine = Date.now();
    this.heartbeat = setInterval(() => {
      if (Date.now() - this.lastLine >= PLAIN_EVERY_MS) this.plain(this.status(this.clockAt.elapsed + (Date.now() - this.clockAt.at) / 1000));
    }, 1000);
    this.heartbeat.unref();
  }

  /** Trials done, the member training (λ, fold or folds, epoch), elapsed and ETA: the live line's text. */
  private status(elapsed: number): string {
    // Once every trial so far is done (the refit, or a sampler choosing the next λ), no member is training.
    const c = this.done < this.total ? this.current : undefined;
    const folds = c && (c.folds[0] === c.folds[1] ? `fold ${c.folds[0] + 1}` : `folds ${c.folds[0] + 1}–${c.folds[1] + 1}`);
    const at = c ? ` · λ ${sig(c.lambda)}${c.dropout ? ` dropout ${c.dropout}` : ''} ${folds} · epoch ${c.epoch}` : '';
    const trials = this.total === 0 ? 'preparing (data, splits, study store)' : `trials ${this.done}/${this.total}`;
    return `${trials}${at} · ${clock(elapsed)} elapsed${this.eta(elapsed)}`;
  }

  /** ", ETA m:ss" from the pace of the trials trained here so far; '' before the first. */
  private eta(elapsed: number): string {
    if (this.trained === 0 || this.trainStart === undefined) return '';
    const left = ((elapsed - this.trainStart) / this.trained) * (this.total - this.done);
    return `, ETA ${clock(left)}`;
  }

  /** The line for the trials read from the store since it was last printed, if any. */
  private sayStored(): void {
    if (this.fromStore === 0) return;
    const n = this.fromStore;
    this.fromStore = 0;
    this.plain(`${n} trial${n === 1 ? '' : 's'} read from the study store`);
  }

  /** A line that stays (above the live line on a terminal). */
  private plain(text: string): void {
    if (this.sink.tty && this.drawn) this.sink.write('\r\x1b[2K');
    this.drawn = false;
    this.sink.write(`${text}\n`);
    this.lastLine = Date.now();
  }

  /** Redraws the live line, at most 10 times a second unless `force`. */
  private draw(elapsed: number, force: boolean): void {
    const now = performance.now();
    if (!force && now - this.lastDraw < 100) return;
    this.lastDraw = now;
    this.sink.write(`\r\x1b[2K${this.status(elapsed)}`);
    this.drawn = true;
  }
}
