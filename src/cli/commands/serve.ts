/** `l2lab serve`: the dashboard plus the ask/tell HTTP API for training loops in any language, until Ctrl-C. */
import { InvalidOptionError } from '../../errors.js';
import { numberOption, stringOption, type Command } from '../command.js';
import { SERVER_HELP, SERVER_OPTIONS, serverOptions, untilStopped } from '../server-run.js';

export const command: Command = {
  name: 'serve',
  options: { ...SERVER_OPTIONS, 'token-file': { type: 'string' }, 'heartbeat-timeout': { type: 'string' } },
  help: [
    'Usage: l2lab serve [--storage ./l2lab.db | postgres://…] [--port 8080] [--host 127.0.0.1] [--token-file F]',
    '',
    "The dashboard (as 'l2lab dashboard') plus a JSON API for choosing λ in your own training loop:",
    '  POST /api/v1/studies/NAME/ask              a trial: λ in your framework\'s units, τ, when pruning may start',
    '  POST /api/v1/studies/NAME/trials/N/report  one epoch\'s val loss (and Σθ²); answers whether to prune',
    '  POST /api/v1/studies/NAME/trials/N/tell    how the trial ended',
    '  GET  /api/v1/studies/NAME/best             λ_min (and λ_1se) in both units, with the noise reading',
    '  GET  /api/v1/openapi.json                  the OpenAPI 3 description',
    "Writes need 'Authorization: Bearer <token>'. The bodies carry the fields of 'l2lab ask|report|tell --json';",
    'clients/python/l2lab_client.py is a Python client. See docs/ask-tell.md.',
    '',
    ...SERVER_HELP,
    '  --token-file F      read the bearer token from F (16+ characters); default: a random token,',
    '                      printed once at start',
    '  --heartbeat-timeout S  seconds without a report after which a running trial goes back to',
    '                      the pool (default 600)',
  ].join('\n'),
  async run(v, positionals) {
    if (positionals.length > 0) throw new InvalidOptionError(`'l2lab serve' takes no positional arguments (got '${positionals.join(' ')}'); the studies are named in the API's paths.`);
    const options = serverOptions(v, 'serve');
    // Its range is the service's to check, as for l2lab ask.
    const heartbeatTimeout = numberOption(v, 'heartbeat-timeout', 'serve', '(0, 86400]');
    const { exposureWarning } = await import('../../dashboard/index.js');
    const { newToken, readTokenFile, startServe } = await import('../../serve/index.js');
    const tokenFile = stringOption(v, 'token-file');
    const token = tokenFile === undefined ? newToken() : readTokenFile(tokenFile);
    const server = await startServe({ ...options, token, heartbeatTimeout });
    // Listening for the stop before the address is printed: a reader may signal as soon as it reads it.
    const stopped = untilStopped('serve');
    const warning = options.host === undefined ? null : exposureWarning(options.host);
    if (warning !== null) console.error(warning);
    console.log(`l2lab serve: ${server.location}`);
    console.log(`  ${server.url}   (Ctrl-C to stop)`);
    console.log(`  API: ${server.url}api/v1/   (OpenAPI: ${server.url}api/v1/openapi.json)`);
    // Printed once, only when made here: a token from --token-file stays in its file.
    console.log(tokenFile === undefined ? `  token: ${token}   (send 'Authorization: Bearer <token>' with ask, report and tell)` : `  token: from ${tokenFile}`);
    await stopped;
    await server.close();
    return 0;
  },
};
