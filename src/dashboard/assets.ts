/** The dashboard's own scripts: its page script and the vega bundles, served from node_modules (no CDN: the CSP allows only the dashboard's scripts). */
import fs from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { CLIENT_JS } from './client.js';

const require = createRequire(import.meta.url);

/** A package's folder: its main entry resolved, cut after `node_modules/NAME/` (the packages do not export their build files). */
function packageDir(name: string): string {
  const main = require.resolve(name);
  const marker = `${path.sep}node_modules${path.sep}${name}${path.sep}`;
  return main.slice(0, main.lastIndexOf(marker) + marker.length);
}

const BUNDLES: Record<string, [pkg: string, file: string]> = {
  '/static/vega.min.js': ['vega', 'build/vega.min.js'],
  '/static/vega-lite.min.js': ['vega-lite', 'build/vega-lite.min.js'],
  '/static/vega-embed.min.js': ['vega-embed', 'build/vega-embed.min.js'],
};

const loaded = new Map<string, Promise<string>>();

/** The script served at `pathname`, or `null` when there is none. */
export function staticScript(pathname: string): Promise<string> | null {
  if (pathname === '/static/dashboard.js') return Promise.resolve(CLIENT_JS);
  const bundle = BUNDLES[pathname];
  if (bundle === undefined) return null;
  let text = loaded.get(pathname);
  if (text === undefined) {
    // Source maps would be fetched by devtools and 404: drop the reference.
    text = fs.readFile(path.join(packageDir(bundle[0]), bundle[1]), 'utf8').then((t) => t.replace(/\n\/\/# sourceMappingURL=\S+\s*$/, '\n'));
    loaded.set(pathname, text);
  }
  return text;
}
