/** The ask/tell protocol over PostgreSQL, on a throwaway cluster (skipped, saying why, without server binaries). */
import { after, before, it } from 'node:test';
import { findPgBin, PG_MISSING, startCluster, type PgCluster } from '../study/pg-cluster.js';
import { askConformance } from './protocol.js';

const bin = await findPgBin();
const external = (process.env.L2LAB_TEST_POSTGRES_URL ?? '') !== '';

if (bin === null && !external) {
  it('ask/tell protocol over PostgreSQL', { skip: PG_MISSING }, () => undefined);
} else {
  let cluster: PgCluster | undefined;
  before(async () => {
    cluster = await startCluster(bin);
  });
  after(async () => {
    await cluster?.stop();
  });
  askConformance('PostgreSQL', async () => ({ spec: await cluster!.fresh() }));
}
