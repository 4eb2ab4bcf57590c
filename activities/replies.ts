// Activities of replyRecoveryWorkflow: pull inbound messages the providers have but whose webhooks
// never arrived, and replay inbox rows still pending or failed. The reply-processing dependencies
// (Temporal-backed sequence control, classifier) come from src/lifecycle/replies.ts through deps.
import { heartbeat } from '@temporalio/activity';
import { inboundEmailSource, type InboundEmailSource } from '../src/integrations/postmark/inbound';
import { inboundSmsSource, type InboundSmsSource } from '../src/integrations/twilio/inbound';
import { listRecoverable, type InboxCursor } from '../src/engines/inbox/store';
import { pullMissedEmail, pullMissedSms, type PullResult } from '../src/engines/inbox/pull';
import { notifyStaleReviews } from '../src/engines/replies/review';
import { processInboxEvent, type ProcessOutcome } from '../src/engines/replies/process';
import { processTelegramInboxRow, TELEGRAM_PROVIDER } from '../src/engines/telegram-bot/inbox';
import type { ActivityDeps } from './deps';

export type OutcomeCounts = Record<ProcessOutcome, number>;

export const emptyCounts = (): OutcomeCounts => ({ processed: 0, ignored: 0, pending: 0, failed: 0, busy: 0, missing: 0 });

export interface ReplayPage {
  counts: OutcomeCounts;
  /** Where the next page starts; absent when this page was the last. */
  next?: InboxCursor;
}

export function createReplyActivities(deps: ActivityDeps, sources: { email?: InboundEmailSource; sms?: InboundSmsSource } = {}) {
  const processing = deps.lifecycle.replyProcessing();
  const email = sources.email ?? inboundEmailSource(deps.config);
  const sms = sources.sms ?? inboundSmsSource(deps.config);

  const telegram = deps.lifecycle.telegramBot();

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
      const pulled =
        a.provider === 'postmark' ? await pullMissedEmail(deps.db, email, { now, limit: a.limit }) : await pullMissedSms(deps.db, sms, { now, limit: a.limit });
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
      await processAll(
        rows.map((r) => r.id),
        counts,
      );
      const last = rows[rows.length - 1];
      return rows.length < a.limit || !last ? { counts } : { counts, next: { receivedAt: last.receivedAt.toISOString(), id: last.id } };
    },
  };
}

export type ReplyActivities = ReturnType<typeof createReplyActivities>;
