// Credits and Temporal: after a top-up (or a plan change), the client's running sequences are told,
// so a touch waiting on "no_credits" checks again at once instead of at its next re-check (6 hours).
// Best effort: a sequence that misses the signal still re-checks on its own.
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import type { Db } from '../db/client';
import { creditsAddedSignal } from '../../workflows/definitions/sequence';
import { workflowIds } from '../../workflows/ids';

const CONCURRENCY = 16;

/** Signals every active sequence of the client; returns how many were signalled. */
export async function wakeCreditWaiters(temporal: Client, db: Db, clientId: string): Promise<number> {
  let signalled = 0;
  let after = '';
  for (;;) {
    const page = await db.campaignEnrollment.findMany({
      where: { clientId, status: 'active', id: { gt: after } },
      select: { id: true, campaignId: true, leadId: true },
      orderBy: { id: 'asc' },
      take: 500,
    });
    if (page.length === 0) return signalled;
    for (let i = 0; i < page.length; i += CONCURRENCY) {
      await Promise.all(
        page.slice(i, i + CONCURRENCY).map(async (e) => {
          try {
            await temporal.workflow.getHandle(workflowIds.sequence(e.campaignId, e.leadId)).signal(creditsAddedSignal);
            signalled++;
          } catch (err) {
            // The sequence finished meanwhile: nothing to wake.
            if (!(err instanceof WorkflowNotFoundError)) throw err;
          }
        }),
      );
    }
    after = page[page.length - 1].id;
  }
}
