/** The ask/tell protocol over a SQLite file. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { askConformance } from './protocol.js';

askConformance('SQLite', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'l2lab-ask-'));
  return { spec: path.join(dir, 'studies.db'), dispose: async () => fs.rmSync(dir, { recursive: true, force: true }) };
});
