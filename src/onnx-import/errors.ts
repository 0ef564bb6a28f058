/** The error an imported graph raises when it uses what l2lab cannot train (an operator, an attribute value). */
import { L2labError } from '../errors.js';

/** An .onnx file that is valid ONNX but uses an operator or attribute l2lab does not train; the message names the node and the fix. */
export class UnsupportedModelError extends L2labError {
  constructor(message: string) {
    super('UNSUPPORTED', message);
    this.name = 'UnsupportedModelError';
  }
}
