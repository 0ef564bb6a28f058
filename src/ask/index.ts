/** The ask/tell service for a training loop l2lab does not run: the protocol's types, its errors and the service every door calls. */
export type { AskedTrial, BestAnswer, ExternalOptimizer, ExternalStrategy, LambdaService, NoTrial, ReportAnswer, ReportRequest, StudyContext, TellAnswer, TellRequest } from './protocol.js';
export { ProtocolError, type ProtocolErrorCode } from './errors.js';
export { openLambdaService, LambdaStudies, type LambdaServiceOptions } from './service.js';
