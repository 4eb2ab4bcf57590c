// Reply processing's dependencies on the Temporal side: stop, pause and enrol through the lifecycle
// functions (each signal bounded by a deadline), and the classifier. Shared by the webhook routes,
// the review routes and, through the composition module, the reply-recovery activities.
import type { Client as TemporalClient } from '@temporalio/client';
import type { Config } from '../config';
import type { Db } from '../db/client';
import type { Logger } from '../logger';
import { claudeFromConfig } from '../integrations/anthropic';
import { addLeadsToCampaign } from '../engines/campaigns';
import { createReplyClassifier } from '../engines/replies/classify';
import type { ReplyProcessingDeps } from '../engines/replies/process';
import type { SequenceControl } from '../engines/replies/sequence-control';
import { notifyLeadsAdded } from './campaigns';
import { pauseLeadSequencesForOoo, stopLeadSequences } from './sequences';

/** A signal that cannot reach Temporal within this fails, leaving the inbox row for the sweep. */
export const SIGNAL_DEADLINE_MS = 5_000;

export function temporalSequenceControl(temporal: TemporalClient, db: Db, deadlineMs = SIGNAL_DEADLINE_MS): SequenceControl {
  const bounded = <T>(fn: () => Promise<T>) => temporal.withDeadline(Date.now() + deadlineMs, fn);
  return {
    stop: (leadId, reason, eventId, known) => bounded(() => stopLeadSequences(temporal, db, leadId, reason, eventId, known)),
    outOfOffice: (leadId, returnDate, eventId) => bounded(() => pauseLeadSequencesForOoo(temporal, db, leadId, returnDate, eventId)),
    enrol: async (a) => {
      const added = await addLeadsToCampaign(db, { clientId: a.clientId, campaignId: a.campaignId, leadIds: [a.leadId] });
      // Told even when the enrolment existed: a retry must reach the campaign if the first call did not.
      await bounded(() => notifyLeadsAdded(temporal, a.campaignId, Math.max(added.added, 1)));
    },
  };
}

/** What processing an inbox row needs: Claude classifies replies when ANTHROPIC_API_KEY is set. */
export function replyProcessingDeps(a: { db: Db; temporal: TemporalClient; config: Config; logger: Logger }): ReplyProcessingDeps {
  const claude = claudeFromConfig(a.config);
  return {
    db: a.db,
    sequences: temporalSequenceControl(a.temporal, a.db),
    classify: createReplyClassifier(claude.client ? { db: a.db, claude: claude.client, prices: claude.prices } : null),
    logger: a.logger.child({ component: 'replies' }),
    trustedAuthservIds: (a.config.INBOUND_TRUSTED_AUTHSERV_IDS ?? '')
      .split(',')
      .map((id) => id.trim())
      .filter(Boolean),
  };
}
