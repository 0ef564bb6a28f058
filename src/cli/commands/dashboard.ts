/** `l2lab dashboard`: serve the read-only web dashboard of a study store until Ctrl-C. */
import { InvalidOptionError, invalidNumber } from '../../errors.js';
import { numberOption, stringOption, type Command } from '../command.js';

export const command: Command = {
  name: 'dashboard',
  options: { storage: { type: 'string' }, port: { type: 'string' }, host: { type: 'string' }, refresh: { type: 'string' } },
  help: [
    'Usage: l2lab dashboard [--storage ./l2lab.db | postgres://…] [--port 8080] [--host 127.0.0.1] [--refresh 5]',
    '',
    'Serves every study of the store as web pages (interactive validation and learning curves,',
    'sortable trials with epoch progress, refit, evidence; /compare for several studies, /atlas/NAME',
    'for a stored atlas) and as JSON (/api/studies, /api/study/NAME). Leave it open while',
    "'l2lab tune' runs in another terminal: pages update in place without reloading. Read-only.",
    '',
    '  --storage PATH|URL  study store: a SQLite file or a postgres:// URL (default ./l2lab.db)',
    '  --port N            TCP port, 0 for any free one (default 8080)',
    '  --host ADDR         interface to listen on (default 127.0.0.1, this machine only;',
    '                      0.0.0.0 shows the studies to the whole network)',
    '  --refresh S         seconds between a page\'s live updates, 0 for none (default 5)',
  ].join('\n'),
  async run(v, positionals) {
    if (positionals.length > 0) throw new InvalidOptionError(`'l2lab dashboard' takes no positional arguments (got '${positionals.join(' ')}'); a study is reached at /study/NAME.`);
    const port = numberOption(v, 'port', 'dashboard', '[0, 65535]');
    const refresh = numberOption(v, 'refresh', 'dashboard', '[0, 3600]');
    if (port !== undefined && !(Number.isInteger(port) && port >= 0 && port <= 65535)) throw invalidNumber('port', 'dashboard', '[0, 65535] (an integer; 0 = any free port)', v.port);
    if (refresh !== undefined && !(Number.isInteger(refresh) && refresh >= 0 && refresh <= 3600)) throw invalidNumber('refresh', 'dashboard', '[0, 3600] (whole seconds; 0 = never)', v.refresh);
    const { exposureWarning, startDashboard } = await import('../../dashboard/index.js');
    const host = stringOption(v, 'host');
    const dash = await startDashboard({ storage: stringOption(v, 'storage'), port, host, refreshSeconds: refresh });
    const warning = host === undefined ? null : exposureWarning(host);
    if (warning !== null) console.error(warning);
    console.log(`l2lab dashboard: ${dash.location}`);
    console.log(`  ${dash.url}   (Ctrl-C to stop)`);
    await new Promise<void>((resolve) => {
      const stop = (signal: NodeJS.Signals) => {
        process.off('SIGINT', stop);
        process.off('SIGTERM', stop);
        console.log(`\nl2lab dashboard: ${signal}, stopping`);
        resolve();
      };
      process.on('SIGINT', stop);
      process.on('SIGTERM', stop);
    });
    await dash.close();
    return 0;
  },
};
