/** `l2lab dashboard`: serve the read-only web dashboard of a study store until Ctrl-C. */
import { InvalidOptionError } from '../../errors.js';
import { type Command } from '../command.js';
import { SERVER_HELP, SERVER_OPTIONS, serverOptions, untilStopped } from '../server-run.js';

export const command: Command = {
  name: 'dashboard',
  options: SERVER_OPTIONS,
  help: [
    'Usage: l2lab dashboard [--storage ./l2lab.db | postgres://…] [--port 8080] [--host 127.0.0.1] [--refresh 5]',
    '',
    'Serves every study of the store as web pages (interactive validation and learning curves,',
    'sortable trials with epoch progress, refit, evidence; /compare for several studies, /atlas/NAME',
    'for a stored atlas) and as JSON (/api/studies, /api/study/NAME). Leave it open while',
    "'l2lab tune' runs in another terminal: pages update in place without reloading. Read-only;",
    "'l2lab serve' is the same server with the ask/tell API for your own training loops.",
    '',
    ...SERVER_HELP,
  ].join('\n'),
  async run(v, positionals) {
    if (positionals.length > 0) throw new InvalidOptionError(`'l2lab dashboard' takes no positional arguments (got '${positionals.join(' ')}'); a study is reached at /study/NAME.`);
    const options = serverOptions(v, 'dashboard');
    const { exposureWarning, startDashboard } = await import('../../dashboard/index.js');
    const dash = await startDashboard(options);
    // Listening for the stop before the address is printed: a reader may signal as soon as it reads it.
    const stopped = untilStopped('dashboard');
    const warning = options.host === undefined ? null : exposureWarning(options.host);
    if (warning !== null) console.error(warning);
    console.log(`l2lab dashboard: ${dash.location}`);
    console.log(`  ${dash.url}   (Ctrl-C to stop)`);
    await stopped;
    await dash.close();
    return 0;
  },
};
