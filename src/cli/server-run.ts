/** What `l2lab dashboard` and `l2lab serve` share: the listening options, their checks, and running until Ctrl-C. */
import { invalidNumber } from '../errors.js';
import { numberOption, stringOption, type OptionSpec, type ParsedValues } from './command.js';

/** --storage, --port, --host, --refresh. */
export const SERVER_OPTIONS: OptionSpec = { storage: { type: 'string' }, port: { type: 'string' }, host: { type: 'string' }, refresh: { type: 'string' } };

/** The help lines of {@link SERVER_OPTIONS}. */
export const SERVER_HELP = [
  '  --storage PATH|URL  study store: a SQLite file or a postgres:// URL (default ./l2lab.db)',
  '  --port N            TCP port, 0 for any free one (default 8080)',
  '  --host ADDR         interface to listen on (default 127.0.0.1, this machine only;',
  '                      0.0.0.0 shows the studies to the whole network)',
  "  --refresh S         seconds between a page's live updates, 0 for none (default 5)",
];

/** The checked listening options of `command`. */
export function serverOptions(v: ParsedValues, command: string): { storage?: string; port?: number; host?: string; refreshSeconds?: number } {
  const port = numberOption(v, 'port', command, '[0, 65535]');
  const refresh = numberOption(v, 'refresh', command, '[0, 3600]');
  if (port !== undefined && !(Number.isInteger(port) && port >= 0 && port <= 65535)) throw invalidNumber('port', command, '[0, 65535] (an integer; 0 = any free port)', v.port);
  if (refresh !== undefined && !(Number.isInteger(refresh) && refresh >= 0 && refresh <= 3600)) throw invalidNumber('refresh', command, '[0, 3600] (whole seconds; 0 = never)', v.refresh);
  return { storage: stringOption(v, 'storage'), port, host: stringOption(v, 'host'), refreshSeconds: refresh };
}

/** Resolves on SIGINT or SIGTERM, saying so as `l2lab <command>`. */
export function untilStopped(command: string): Promise<void> {
  return new Promise<void>((resolve) => {
    const stop = (signal: NodeJS.Signals) => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      console.log(`\nl2lab ${command}: ${signal}, stopping`);
      resolve();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}
