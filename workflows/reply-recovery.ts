// replyRecoveryWorkflow: the reply safety net (scheduled every six hours, or on demand from the admin
// API). First asks Postmark and Twilio for inbound messages whose webhooks never arrived, then
// replays inbox rows that are still pending or failed (unmatched events, Temporal outages) page by
// page. Processing is idempotent per row, so overlapping runs and the in-process path are harmless.
import { proxyActivities, upsertSearchAttributes } from '@temporalio/workflow';
import type { ReplyActivities } from '../activities/replies';
import type { ProviderPullSummary, ReplyRecoveryCounts, ReplyRecoveryInput, ReplyRecoveryResult } from './definitions/replies';
import { LONG_ACTIVITY } from './definitions/retry';
import { ClientIdKey, PLATFORM_CLIENT_ID } from './search-attributes';

const acts = proxyActivities<ReplyActivities>(LONG_ACTIVITY);

const PROVIDERS = ['postmark', 'twilio'] as const;

function add(into: ReplyRecoveryCounts, from: ReplyRecoveryCounts): void {
  for (const k of Object.keys(into) as (keyof ReplyRecoveryCounts)[]) into[k] += from[k];
}

export async function replyRecoveryWorkflow(input: ReplyRecoveryInput = { version: 1 }): Promise<ReplyRecoveryResult> {
  upsertSearchAttributes([{ key: ClientIdKey, value: PLATFORM_CLIENT_ID }]);
  const minAgeSeconds = input.minAgeSeconds ?? 60;
  const pageSize = input.pageSize ?? 50;
  const maxEvents = input.maxEvents ?? 2000;
  // Workflow time: deterministic on replay.
  const olderThan = new Date(Date.now() - minAgeSeconds * 1000).toISOString();
  const counts: ReplyRecoveryCounts = { processed: 0, ignored: 0, pending: 0, failed: 0, busy: 0, missing: 0 };

  const pulled: ProviderPullSummary[] = [];
  if (input.pullProviders ?? true) {
    for (const provider of PROVIDERS) {
      try {
        const r = await acts.pullMissedInbound({ provider });
        add(counts, r.counts);
        pulled.push({ provider, ok: true, sandbox: r.sandbox, listed: r.listed, recorded: r.recorded.length });
      } catch (err) {
        // One provider being down must not stop the other, nor the replay.
        pulled.push({ provider, ok: false, error: err instanceof Error ? (err.cause instanceof Error ? err.cause.message : err.message) : String(err) });
      }
    }
  }

  let replayed = 0;
  let after: { receivedAt: string; id: string } | undefined;
  let truncated = false;
  for (;;) {
    if (replayed >= maxEvents) {
      truncated = true;
      break;
    }
    const page = await acts.replayInboxEvents({ limit: Math.min(pageSize, maxEvents - replayed), olderThan, after });
    const n = Object.values(page.counts).reduce((s, v) => s + v, 0);
    replayed += n;
    add(counts, page.counts);
    if (!page.next) break;
    after = page.next;
  }
  return { pulled, counts, replayed, truncated };
}
