/**
 * Progress of long commands on stderr: on a terminal, one live line (trials done/total, current λ
 * and fold, epoch, elapsed, ETA) rewritten in place; elsewhere (a pipe, a log file, CI), one plain
 * line per finished trial. stdout stays for the result, so `--json` output is never mixed with it.
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
  private current: { lambda: number; dropout: number; fold: number; epoch: number } | undefined;
  private lastDraw = 0;
  private drawn = false;
  /** Trials read from the store since the last line said so: consecutive batches (a resumed bayes replays one trial at a time) share one line. */
  private fromStore = 0;

  constructor(private readonly sink: ProgressSink = { write: (t) => process.stderr.write(t), tty: process.stderr.isTTY === true }) {}

  /** The callback to pass as `onProgress`. */
  readonly onProgress = (e: ProgressEvent): void => {
    if (e.kind === 'stored') {
      this.done = e.done;
      this.total = e.total;
      this.fromStore += e.fromStore;
      return;
    }
    this.sayStored();
    if (e.kind === 'epoch') {
      this.trainStart ??= e.elapsed;
      this.current = { lambda: e.lambda, dropout: e.dropout, fold: e.fold, epoch: e.epoch };
    } else {
      this.trainStart ??= e.elapsed;
      this.done = e.done;
      this.total = e.total;
      this.trained++;
      if (!this.sink.tty) {
        this.sink.write(`trial ${e.done}/${e.total}: λ = ${sig(e.lambda)}${e.dropout ? `, dropout ${e.dropout}` : ''}, ${e.state === 'COMPLETE' ? `val loss ${sig(e.value!)}` : e.state === 'PRUNED' ? `pruned${e.value === null ? '' : ` at val loss ${sig(e.value)}`}` : 'failed'} (${clock(e.elapsed)} elapsed${this.eta(e.elapsed)})\n`);
        return;
      }
    }
    if (this.sink.tty) this.draw(e.elapsed, e.kind !== 'epoch');
  };

  /** Clears the live line so the result prints on a clean terminal line. */
  end(): void {
    this.sayStored();
    if (this.sink.tty && this.drawn) this.sink.write('\r\x1b[2K');
    this.drawn = false;
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
    this.end();
    this.sink.write(`${text}\n`);
  }

  /** Redraws the live line, at most 10 times a second unless `force`. */
  private draw(elapsed: number, force: boolean): void {
    const now = performance.now();
    if (!force && now - this.lastDraw < 100) return;
    this.lastDraw = now;
    const c = this.current;
    const at = c ? ` · λ ${sig(c.lambda)}${c.dropout ? ` dropout ${c.dropout}` : ''} fold ${c.fold + 1} · epoch ${c.epoch}` : '';
    this.sink.write(`\r\x1b[2Ktrials ${this.done}/${this.total}${at} · ${clock(elapsed)} elapsed${this.eta(elapsed)}`);
    this.drawn = true;
  }
}
