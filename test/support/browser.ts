/** Finds Debian's Chromium for the dashboard's browser tests (driven by playwright-core), or says why they skip. */
import { existsSync } from 'node:fs';

export const CHROMIUM = '/usr/bin/chromium';

/** undefined when Chromium is installed; otherwise the reason a browser test is skipped. */
export function missingChromium(): string | undefined {
  return existsSync(CHROMIUM) ? undefined : `${CHROMIUM} not found: apt-get install -y chromium (Debian's Chromium; playwright-core drives it, no bundled browser is downloaded)`;
}
