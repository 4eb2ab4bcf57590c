// Activities of replyRecoveryWorkflow: pull inbound messages the providers have but whose webhooks
// never arrived, and replay inbox rows still pending or failed. Also builds the reply-processing
// dependencies (Temporal-backed sequence control, classifier) that the webhook routes share.
import { heartbeat } from '@temporalio/activity';
import type { Client as TemporalClient } from '@temporalio/client';
import type { Config } from '../src/config';
import type { Db } from '../src/db/client';
import type { Logger } from '../src/logger';
import { claudeFromConfig } from '../src/integrations/anthropic';
import { inboundEmailSource, type InboundEmailSource } from '../src/integrations/postmark/inbound';
import { inboundSmsSource, type InboundSmsSource } from '../src/integrations/twilio/inbound';
import { addLeadsToCampaign } from '../src/engines/campaigns';
import { listRecoverable, type InboxCursor } from '../src/engines/inbox/store';
import { pullMissedEmail, pullMissedSms, type PullResult } from '../src/engines/inbox/pull';
import { createReplyClassifier } from '../src/engines/replies/classify';
import { notifyStaleReviews } from '../src/engines/replies/review';
import { processInboxEvent, type ProcessOutcome, type ReplyProcessingDeps, type SequenceControl } from '../src/engines/replies/process';
import { notifyLeadsAdded } from '../src/lifecycle/campaigns';
import { pauseLeadSequencesForOoo, stopLeadSequences } from '../src/lifecycle/sequences';
import { processTelegramInboxRow, TELEGRAM_PROVIDER } from '../src/engines/telegram-bot/inbox';
import { telegramBotDeps } from '../src/lifecycle/telegram-bot';
import type { ActivityDeps } from './deps';

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
    trustedAuthservIds: (a.config.INBOUND_TRUSTED_AUTHSERV_IDS ?? '').split(',').map((id) => id.trim()).filter(Boolean),
  };
}

export type OutcomeCounts = Record<ProcessOutcome, number>;

export const emptyCounts = (): OutcomeCounts => ({ processed: 0, ignored: 0, pending: 0, failed: 0, busy: 0, missing: 0 });

export interface ReplayPage {
  counts: OutcomeCounts;
  /** Where the next page starts; absent when this page was the last. */
  next?: InboxCursor;
}

export function createReplyActivities(deps: ActivityDeps, sources: { email?: InboundEmailSource; sms?: InboundSmsSource } = {}) {
  const processing = replyProcessingDeps(deps);
  const email = sources.email ?? inboundEmailSource(deps.config);
  const sms = sources.sms ?? inboundSmsSource(deps.config);

  const telegram = telegramBotDeps(deps);

  async function processAll(ids: string[], counts: OutcomeCounts): Promise<void> {
    const chat = new Set(
      (await deps.db.webhookEvent.findMany({ where: { id: { in: ids }, provider: TELEGRAM_PROVIDER }, select: { id: true } })).map((r) => r.id),
    );
    for (const id of ids) {
      if (chat.has(id)) {
        // Chat updates are the bot's: only a still-pending one (its process died before handling it)
        // is taken; a failed one may have half-acted and stays as it is.
        const outcome = telegram ? await processTelegramInboxRow(telegram, id) : 'skipped';
        counts[outcome === 'skipped' ? 'busy' : outcome]++;
      } else {
        const r = await processInboxEvent(processing, id);
        counts[r.outcome]++;
      }
      heartbeat(counts);
    }
  }

  return {
    /** Inbound messages the provider has and the inbox does not: recorded, then processed at once. */
    async pullMissedInbound(a: { provider: 'postmark' | 'twilio'; limit?: number }): Promise<PullResult & { counts: OutcomeCounts }> {
      const now = new Date();
      const pulled = a.provider === 'postmark' ? await pullMissedEmail(deps.db, email, { now, limit: a.limit }) : await pullMissedSms(deps.db, sms, { now, limit: a.limit });
      const counts = emptyCounts();
      await processAll(pulled.recorded, counts);
      return { ...pulled, counts };
    },

    /** Reply reviews unresolved past REVIEW_STALE_AFTER at `at`: told to their clients, once each. */
    async notifyStaleReviews(a: { at: string }): Promise<{ notified: number }> {
      return notifyStaleReviews(deps.db, { staleAfterMs: deps.config.REVIEW_STALE_AFTER, now: new Date(a.at) });
    },

    /** One page of pending/failed rows received before `olderThan`, oldest first. */
    async replayInboxEvents(a: { limit: number; olderThan: string; after?: InboxCursor }): Promise<ReplayPage> {
      const rows = await listRecoverable(deps.db, { limit: a.limit, olderThan: new Date(a.olderThan), after: a.after });
      const counts = emptyCounts();
      await processAll(rows.map((r) => r.id), counts);
      const last = rows[rows.length - 1];
      return rows.length < a.limit || !last ? { counts } : { counts, next: { receivedAt: last.receivedAt.toISOString(), id: last.id } };
    },
  };
}

export type ReplyActivities = ReturnType<typeof createReplyActivities>;
