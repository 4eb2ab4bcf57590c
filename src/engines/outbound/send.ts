// Runs the send state machine (send-states.ts) for one attempt against the ledger and the provider.
// Every durable step is one statement (reserve with slot, finalize with credit and Activity), so a
// crash between two steps leaves a row a later attempt can read; the named crash points are where
// tests interrupt it (deps.faults).
import { type Db, type Prisma } from '../../db/client';
import { PermanentSendError, type ChannelProvider, type OutboundMessage } from '../../integrations/channels';
import { releaseDailySlot } from '../rate-limiter';
import { claimSendSlot, failSend, finalizeSent, markFailed, markSending, type LedgerKey, type LedgerRow } from '../send-ledger';
import { sends } from '../../observability/metrics';
import { afterProviderCall, nextStep, type SendCrashPoint, type SendState } from './send-states';

/** A resource a send may take a slot of. */
export interface SlotCandidate {
  id: string;
  identifier: string;
  dailyLimit: number;
}

export interface SendFaults {
  /** Test-only: throw here to simulate a worker dying at this point of an attempt. */
  at?: (point: SendCrashPoint, key: string) => void;
  /** Test-only, kept for older tests: the same as `at('after_provider_send', key)`. */
  afterProviderSend?: (key: string) => void;
}

export interface SendRequest {
  key: LedgerKey;
  /** The lead's local day: caps count per local day. */
  day: string;
  /** Resources in the order to try them (most room first). */
  candidates: SlotCandidate[];
  /** Candidates read again (a retake after the row's resource went away). */
  reloadCandidates: () => Promise<SlotCandidate[]>;
  message: OutboundMessage;
  /** Fills the message's sender fields for the resource used. */
  useResource: (message: OutboundMessage, identifier: string) => void;
  provider: ChannelProvider;
  /** Credits the touch costs (its plan's price for the channel), spent when it takes its slot. */
  price: number;
  /** Stored on the `sent` Activity (kind, subject, evidence…); the resource and provider are added. */
  metadata: Record<string, unknown>;
}

export type SendOutcome =
  | { status: 'sent'; providerMessageId: string; threadId?: string }
  | { status: 'wait_for_room' }
  /** The balance does not cover the touch: nothing was taken, the row stays reserved. */
  | { status: 'no_credits' }
  | { status: 'skipped'; reason: string };

export const UNKNOWN_OUTCOME = 'unknown_outcome_after_interrupted_send';

export async function executeSend(db: Db, req: SendRequest, faults?: SendFaults): Promise<SendOutcome> {
  const { key, day, message, provider } = req;
  // What this attempt did (a `report` of an earlier attempt's outcome is not counted again).
  const count = (outcome: 'sent' | 'rejected' | 'unknown' | 'wait_for_room' | 'no_credits' | 'transient_error') => sends.inc({ channel: key.channel, outcome });
  const crash = (point: SendCrashPoint) => {
    faults?.at?.(point, key.idempotencyKey);
    if (point === 'after_provider_send') faults?.afterProviderSend?.(key.idempotencyKey);
  };

  // reserve (+ takeSlot): the resource with most room first, then the next if it filled up meanwhile.
  const price = req.price;
  let { ledger, took, funded } = await claimSendSlot(db, key, slotOf(req.candidates[0], day), { countAttempt: true, now: new Date(), price });
  for (let i = 1; !took && funded && i < req.candidates.length && ledger.state === 'reserved' && !ledger.resourceId; i++) {
    ({ ledger, took, funded } = await claimSendSlot(db, key, slotOf(req.candidates[i], day), { countAttempt: false, now: new Date(), price }));
  }
  crash('after_reserve');
  // Not enough credits: the touch waits (its row stays reserved, nothing taken) until a top-up or grant.
  if (!took && !funded && ledger.state === 'reserved' && !ledger.resourceId) {
    count('no_credits');
    return { status: 'no_credits' };
  }

  let resource = ledger.resourceId ? await resourceOf(db, req.candidates, ledger.resourceId) : null;
  let lookedUp = false;
  for (;;) {
    const step = nextStep(
      { state: ledger.state as SendState, resourceId: ledger.resourceId, took, resourceUsable: resource !== null },
      { canLookUp: !!provider.findSent },
      lookedUp,
    );
    switch (step.step) {
      case 'report':
        return step.outcome === 'sent'
          ? { status: 'sent', providerMessageId: ledger.providerMessageId ?? '', threadId: ledger.threadId ?? undefined }
          : { status: 'skipped', reason: ledger.error ?? step.outcome };
      case 'wait_for_room':
        count('wait_for_room');
        return { status: 'wait_for_room' };
      case 'give_up_unknown':
        // No refund: the interrupted attempt may have reached the provider.
        count('unknown');
        await markFailed(db, key.idempotencyKey, 'unknown_outcome: the provider cannot confirm an interrupted send');
        await recordActivity(db, key, 'skipped', { reason: UNKNOWN_OUTCOME });
        return { status: 'skipped', reason: UNKNOWN_OUTCOME };
      case 'look_up': {
        if (resource) req.useResource(message, resource.identifier);
        const found = await provider.findSent!(message, ledger.reservedAt);
        if (found) {
          count('sent');
          return finalize(db, req, found.providerMessageId, found.threadId, ledger.resourceId, crash);
        }
        lookedUp = true;
        crash('after_lookup');
        continue;
      }
      case 'retake_slot': {
        // The row's resource is gone: a slot of another one, under the row's lock (as a first send).
        const stale = ledger.resourceId;
        let claimed: Awaited<ReturnType<typeof claimSendSlot>> | null = null;
        for (const c of await req.reloadCandidates()) {
          claimed = await claimSendSlot(db, key, slotOf(c, day), { countAttempt: false, now: new Date(), replacing: stale, price });
          if (claimed.took || !claimed.funded) break;
        }
        if (claimed && !claimed.took && !claimed.funded) {
          count('no_credits');
          return { status: 'no_credits' };
        }
        if (!claimed?.took) {
          count('wait_for_room');
          return { status: 'wait_for_room' };
        }
        ({ ledger, took } = claimed);
        resource = await resourceOf(db, req.candidates, ledger.resourceId!);
        lookedUp = true; // this attempt holds the row now: it sends
        continue;
      }
      case 'call_provider': {
        const r = resource!;
        req.useResource(message, r.identifier);
        if (ledger.state !== 'sending') await markSending(db, key.idempotencyKey, r.id);
        let result;
        try {
          result = await provider.send(message);
        } catch (err) {
          const next = afterProviderCall({ kind: err instanceof PermanentSendError ? 'rejected' : 'transient' });
          if (next.rethrow) {
            count('transient_error');
            throw err; // retryable: the row stays `sending`, so the retry asks first
          }
          count('rejected');
          const msg = (err as Error).message;
          if (next.releaseSlot) await releaseDailySlot(db, { resourceId: r.id, day });
          // Refused for good: nothing went out, so its credits come back (once: failSend moves the row).
          await failSend(db, key.idempotencyKey, msg, { refund: true });
          await recordActivity(db, key, 'failed', { reason: 'provider_rejected', error: msg.slice(0, 300) });
          return { status: 'skipped', reason: `provider_rejected: ${msg.slice(0, 200)}` };
        }
        count('sent');
        crash('after_provider_send');
        return finalize(db, req, result.providerMessageId, result.threadId, r.id, crash);
      }
    }
  }
}

function slotOf(c: SlotCandidate | undefined, day: string) {
  return c ? { resourceId: c.id, day, limit: c.dailyLimit } : null;
}

/** The row's resource: from the candidates, or (an earlier attempt's) whatever it is now. */
async function resourceOf(db: Db, candidates: SlotCandidate[], id: string): Promise<{ id: string; identifier: string } | null> {
  return candidates.find((c) => c.id === id) ?? (await db.sendResource.findUnique({ where: { id }, select: { id: true, identifier: true } }));
}

async function finalize(
  db: Db,
  req: SendRequest,
  providerMessageId: string,
  threadId: string | undefined,
  resourceId: string | null,
  crash: (p: SendCrashPoint) => void,
): Promise<SendOutcome> {
  await finalizeSent(db, {
    ...req.key,
    providerMessageId,
    threadId,
    metadata: { ...req.metadata, resourceId, provider: req.provider.provider, sandbox: req.provider.sandbox },
    now: new Date(),
  });
  crash('after_finalize');
  return { status: 'sent', providerMessageId, threadId };
}

async function recordActivity(db: Db, k: LedgerKey, action: string, metadata: Record<string, unknown>): Promise<void> {
  await db.activity.create({
    data: {
      clientId: k.clientId,
      campaignId: k.campaignId,
      leadId: k.leadId,
      channel: k.channel,
      action,
      touchNumber: k.touchNumber,
      metadata: metadata as Prisma.InputJsonValue,
    },
  });
}

export type { LedgerRow };
