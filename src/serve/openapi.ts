/** The OpenAPI 3 description of the ask/tell API, served at `GET /api/v1/openapi.json`; its schemas are src/ask/protocol.ts's types. */
import { CONVENTION_IDS } from '../conventions/index.js';

const num = { type: 'number' } as const;
const nullableNum = { type: 'number', nullable: true } as const;
const int = { type: 'integer', minimum: 0 } as const;

/** A path parameter, the study's name or the trial's number. */
const study = { name: 'name', in: 'path', required: true, description: 'The study (created by its first ask).', schema: { type: 'string', maxLength: 200 } };
const trial = { name: 'n', in: 'path', required: true, description: 'The trial number that ask returned.', schema: int };

/** The error answers every operation may give, by status. */
function errors(...statuses: number[]): Record<string, { $ref: string }> {
  return Object.fromEntries(statuses.map((s) => [String(s), { $ref: `#/components/responses/E${s}` }]));
}

function jsonBody(schema: string, required = true): object {
  return { required, content: { 'application/json': { schema: { $ref: `#/components/schemas/${schema}` } } } };
}

function ok(schema: string, description: string): object {
  return { 200: { description, content: { 'application/json': { schema: { $ref: `#/components/schemas/${schema}` } } } } };
}

const schemas = {
  StudyContext: {
    type: 'object',
    description: 'What l2lab needs to reason about λ in your loop; given with the first ask of a study.',
    required: ['convention', 'm', 'batch_size', 'optimizer', 'lr', 'epochs'],
    properties: {
      convention: { type: 'string', enum: [...CONVENTION_IDS], description: "The units your framework takes λ in (pytorch: weight_decay; keras: l2)." },
      m: { type: 'integer', minimum: 1, description: 'Training rows.' },
      batch_size: { type: 'integer', minimum: 1 },
      optimizer: { type: 'string', enum: ['sgd', 'momentum', 'nesterov', 'adam', 'adamw'] },
      lr: num,
      momentum: { type: 'number', description: 'μ of momentum / nesterov (default 0.9).' },
      epochs: { type: 'integer', minimum: 1, description: 'Epochs each trial trains.' },
      log_range: { type: 'object', required: ['lo', 'hi', 'n'], properties: { lo: num, hi: num, n: { type: 'integer', minimum: 1 } }, description: "n log-spaced values from lo to hi, in convention's units." },
      lambdas: { type: 'array', items: num, description: "An explicit list of values, in convention's units." },
      strategy: { type: 'string', enum: ['grid', 'bayes', 'sh'], default: 'bayes' },
      trials: { type: 'integer', minimum: 1, description: 'bayes: most trials (default 15).' },
    },
  },
  AskRequest: {
    type: 'object',
    properties: { context: { $ref: '#/components/schemas/StudyContext' }, client_id: { type: 'string', description: 'The same id asking again gets its own unfinished trial back.' } },
  },
  AskedTrial: {
    type: 'object',
    required: ['study', 'trial', 'lambda', 'convention', 'value', 'tau_epochs', 'prune_from_epoch', 'epochs'],
    properties: {
      study: { type: 'string' },
      trial: int,
      lambda: { type: 'number', description: 'λ in the seed convention.' },
      convention: { type: 'string' },
      value: { type: 'number', description: "λ in the framework's own units: what your code sets." },
      tau_epochs: { ...nullableNum, description: "τ, the penalty's decay timescale in epochs; null when it cannot be known (coupled L2 under Adam)." },
      tau_note: { type: 'string' },
      prune_from_epoch: { ...nullableNum, description: 'The first epoch at which report may answer prune: true.' },
      epochs: { type: 'integer', description: 'Epochs this trial should train.' },
      rung: { type: 'integer', description: 'sh: the rung of this trial.' },
      resumed: { type: 'boolean' },
    },
  },
  NoTrial: {
    type: 'object',
    description: 'No trial to hand out: done (call best) or wait (ask again after retry_after seconds).',
    required: ['study', 'trial', 'status', 'reason'],
    properties: { study: { type: 'string' }, trial: { type: 'integer', nullable: true, description: 'Always null.' }, status: { type: 'string', enum: ['done', 'wait'] }, reason: { type: 'string' }, retry_after: num },
  },
  ReportRequest: {
    type: 'object',
    required: ['epoch', 'val_loss'],
    properties: { epoch: { type: 'integer', minimum: 1 }, val_loss: num, train_loss: num, weight_sq_norm: { type: 'number', description: 'Σθ² over the decayed weights.' } },
  },
  ReportAnswer: {
    type: 'object',
    required: ['prune', 'reason'],
    properties: { prune: { type: 'boolean' }, reason: { type: 'string', nullable: true }, warning: { type: 'string' } },
  },
  TellRequest: {
    type: 'object',
    description: 'Either val_loss (a finished trial) or state (pruned or failed, with an optional reason).',
    properties: { val_loss: num, state: { type: 'string', enum: ['pruned', 'failed'] }, reason: { type: 'string' } },
  },
  TellAnswer: {
    type: 'object',
    required: ['study', 'trial', 'state', 'value'],
    properties: { study: { type: 'string' }, trial: int, state: { type: 'string', enum: ['COMPLETE', 'PRUNED', 'FAIL'] }, value: { ...nullableNum, description: 'COMPLETE: the final val loss; PRUNED: the best one reported.' } },
  },
  BestAnswer: {
    type: 'object',
    required: ['study', 'best_lambda', 'lambda_1se', 'value', 'value_1se', 'convention', 'val_loss', 'lambda_interval', 'value_interval', 'noise', 'trials'],
    properties: {
      study: { type: 'string' },
      best_lambda: num,
      lambda_1se: nullableNum,
      value: num,
      value_1se: nullableNum,
      convention: { type: 'string' },
      val_loss: num,
      lambda_interval: { type: 'object', required: ['low', 'high', 'basis'], description: 'The seed-convention λ range the data cannot separate from λ_min; basis names the rule (one SE, or the GP posterior band).', properties: { low: num, high: num, basis: { type: 'string' } } },
      value_interval: { type: 'object', required: ['low', 'high'], description: "The same range in the study's convention.", properties: { low: num, high: num } },
      noise: { type: 'object', nullable: true },
      trials: { type: 'object', properties: { complete: int, pruned: int, failed: int, running: int } },
      warnings: { type: 'array', items: { type: 'string' } },
    },
  },
  Error: {
    type: 'object',
    required: ['error'],
    properties: { error: { type: 'object', required: ['code', 'message'], properties: { code: { type: 'string' }, message: { type: 'string' } } } },
  },
};

const errorResponse = (description: string) => ({ description, content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } });

/** The document (OpenAPI 3.0.3). */
export const OPENAPI = {
  openapi: '3.0.3',
  info: {
    title: 'l2lab ask/tell API',
    version: '1',
    description: "Choose the L2 constant λ for your own training loop: ask for a trial, report each epoch's validation loss, tell how it ended, read the best λ. Writes need the bearer token that 'l2lab serve' printed or read from --token-file. See docs/ask-tell.md.",
  },
  paths: {
    '/api/v1/studies/{name}/ask': {
      post: { operationId: 'ask', summary: 'A trial to train (creates the study on its first ask, which needs context)', security: [{ bearer: [] }], parameters: [study], requestBody: jsonBody('AskRequest', false), responses: { 200: { description: 'A trial to train, or why there is none now', content: { 'application/json': { schema: { oneOf: [{ $ref: '#/components/schemas/AskedTrial' }, { $ref: '#/components/schemas/NoTrial' }] } } } }, ...errors(400, 401, 404, 409, 413, 415) } },
    },
    '/api/v1/studies/{name}/trials/{n}/report': {
      post: { operationId: 'report', summary: "One epoch's measurements; answers whether to prune", security: [{ bearer: [] }], parameters: [study, trial], requestBody: jsonBody('ReportRequest'), responses: { ...ok('ReportAnswer', 'Whether to stop'), ...errors(400, 401, 404, 409, 413, 415) } },
    },
    '/api/v1/studies/{name}/trials/{n}/tell': {
      post: { operationId: 'tell', summary: 'Ends a trial', security: [{ bearer: [] }], parameters: [study, trial], requestBody: jsonBody('TellRequest'), responses: { ...ok('TellAnswer', 'The trial ended'), ...errors(400, 401, 404, 409, 413, 415) } },
    },
    '/api/v1/studies/{name}/best': {
      get: { operationId: 'best', summary: 'λ_min (and λ_1se) so far, in both units, with the range the data cannot separate from it and the noise reading', parameters: [study], responses: { ...ok('BestAnswer', 'The best λ so far'), ...errors(404, 409) } },
    },
  },
  components: {
    securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } },
    schemas,
    responses: {
      E400: errorResponse('Bad input: the message names the field and the fix'),
      E401: errorResponse('No or wrong bearer token'),
      E404: errorResponse('STUDY_NOT_FOUND or TRIAL_NOT_FOUND (or no such path)'),
      E409: errorResponse('Conflict with what is stored: TRIAL_FINISHED, LEASE_EXPIRED (stop training, ask again), CONTEXT_MISMATCH, EPOCH_BACKWARDS; NOT_FITTED (best before any trial completed)'),
      E413: errorResponse('Body too large'),
      E415: errorResponse('Body is not application/json'),
    },
  },
} as const;
