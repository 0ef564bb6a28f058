/** Where loaders report bad values: thrown at once by the loaders, collected by `validateDataset`. */
import { InvalidDataError } from '../errors.js';

/** Stored issues beyond this are only counted, so a badly broken file still reports quickly. */
const MAX_KEPT = 20;

export class IssueLog {
  readonly issues: string[] = [];
  private dropped = 0;

  /** @param collect  false: `add` throws an InvalidDataError; true: `add` records and returns. */
  constructor(private readonly collect: boolean) {}

  add(message: string): void {
    if (!this.collect) throw new InvalidDataError(message);
    if (this.issues.length < MAX_KEPT) this.issues.push(message);
    else this.dropped++;
  }

  /** Every issue, plus a closing count of the ones not kept. */
  all(): string[] {
    return this.dropped === 0 ? this.issues : [...this.issues, `… and ${this.dropped} more issues.`];
  }
}
