// Activities of the operator self-test: one write and one read through Prisma.
import { log } from '@temporalio/activity';
import type { Db } from '../src/db/client';

export interface SelfTestActivities {
  writeProbe(input: { probeId: string; workflowId: string; note: string }): Promise<void>;
  readProbe(input: { probeId: string }): Promise<string>;
}

export function createSelfTestActivities(db: Db): SelfTestActivities {
  return {
    // Upsert keyed by id: a retried attempt finds the row it wrote before.
    async writeProbe({ probeId, workflowId, note }) {
      await db.systemProbe.upsert({
        where: { id: probeId },
        create: { id: probeId, workflowId, note },
        update: {},
      });
      log.info('self-test probe written', { probeId });
    },
    async readProbe({ probeId }) {
      const row = await db.systemProbe.update({ where: { id: probeId }, data: { readBackAt: new Date() } });
      return row.note;
    },
  };
}
