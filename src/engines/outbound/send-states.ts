// The effectively-once send as a state machine: the states a send's ledger row can be in, the
// transitions between them, and the decision an attempt takes from what it finds. Pure: no I/O, so
// every transition (and every crash point between them) is unit-tested on its own; send.ts runs it
// against the ledger and the provider.
//
//   (no row) ──reserve──▶ reserved ──slot──▶ sending ──provider accepted──▶ sent
//                           │  ▲                │ │ └──provider rejected──▶ failed (slot released)
//                  no room  └──┘                │ └──transient error──▶ sending (retried)
//                                               │
//      an earlier attempt left it `sending` ────┼──found at the provider──▶ sent
//      (it may have reached the provider)       ├──not found──▶ sending (this attempt sends)
//                                               └──provider cannot tell──▶ failed (unknown outcome)
//   skipped: a touch that was never attempted (JIT skip, manual draft, rejected approval).
//   sent, failed, skipped are final: a later attempt reports them and changes nothing.

export type SendState = 'reserved' | 'sending' | 'sent' | 'failed' | 'skipped';

export const FINAL_STATES: readonly SendState[] = ['sent', 'failed', 'skipped'];

/** Every transition a send can take, named (the ledger only ever moves along these). */
export const SEND_TRANSITIONS = {
  reserve: { from: [null], to: ['reserved', 'sending'] },
  takeSlot: { from: ['reserved'], to: ['sending'] },
  waitForRoom: { from: ['reserved'], to: ['reserved'] },
  providerAccepted: { from: ['sending'], to: ['sent'] },
  providerRejected: { from: ['sending'], to: ['failed'] },
  providerTransient: { from: ['sending'], to: ['sending'] },
  foundAtProvider: { from: ['sending'], to: ['sent'] },
  notFoundAtProvider: { from: ['sending'], to: ['sending'] },
  unknownOutcome: { from: ['sending'], to: ['failed'] },
  retakeSlot: { from: ['sending', 'reserved'], to: ['sending'] },
  skip: { from: [null, 'reserved'], to: ['skipped'] },
} as const satisfies Record<string, { from: readonly (SendState | null)[]; to: readonly SendState[] }>;

export type SendTransition = keyof typeof SEND_TRANSITIONS;

/** Where a crash can interrupt an attempt (between two durable steps). */
export const SEND_CRASH_POINTS = ['after_reserve', 'after_lookup', 'after_provider_send', 'after_finalize'] as const;
export type SendCrashPoint = (typeof SEND_CRASH_POINTS)[number];

/** What an attempt found after its reservation statement. */
export interface Reservation {
  state: SendState;
  /** The resource whose slot the row holds, if any. */
  resourceId: string | null;
  /** This attempt moved the row to `sending` itself: nothing of it has reached the provider yet. */
  took: boolean;
  /** The row's resource can still be used (it was not deleted since). */
  resourceUsable: boolean;
}

export type SendStep =
  /** Final already: report the recorded outcome, change nothing. */
  | { step: 'report'; outcome: 'sent' | 'failed' | 'skipped' }
  /** No resource had room: the touch waits for the next day's window (transition waitForRoom). */
  | { step: 'wait_for_room' }
  /** The row is ours and holds a slot: call the provider. */
  | { step: 'call_provider' }
  /** An earlier attempt left the row `sending`: ask the provider whether it went out. */
  | { step: 'look_up' }
  /** An earlier attempt left the row `sending` and the provider cannot tell: give up, never resend blindly. */
  | { step: 'give_up_unknown' }
  /** The row's slot belongs to a resource that is gone: take a slot of another one first. */
  | { step: 'retake_slot' };

/**
 * The next step of an attempt after it reserved. `lookedUp` is set once the provider was asked
 * and did not have the message: then this attempt sends it (nothing went out before).
 */
export function nextStep(r: Reservation, provider: { canLookUp: boolean }, lookedUp = false): SendStep {
  if (r.state === 'sent' || r.state === 'failed' || r.state === 'skipped') return { step: 'report', outcome: r.state };
  if (r.state === 'reserved' && !r.resourceId) return { step: 'wait_for_room' };
  // `sending` (or `reserved` holding a slot, which only an interrupted older attempt leaves).
  const earlier = !r.took;
  if (earlier && r.state === 'sending' && !lookedUp) return provider.canLookUp ? { step: 'look_up' } : { step: 'give_up_unknown' };
  if (!r.resourceUsable) return { step: 'retake_slot' };
  return { step: 'call_provider' };
}

export type ProviderOutcome = { kind: 'accepted' } | { kind: 'rejected' } | { kind: 'transient' };

/** What the provider's answer does to the row: the transition and whether the slot goes back. */
export function afterProviderCall(o: ProviderOutcome): { transition: SendTransition; to: SendState; releaseSlot: boolean; rethrow: boolean } {
  switch (o.kind) {
    case 'accepted':
      return { transition: 'providerAccepted', to: 'sent', releaseSlot: false, rethrow: false };
    case 'rejected':
      return { transition: 'providerRejected', to: 'failed', releaseSlot: true, rethrow: false };
    case 'transient':
      // The row stays `sending`: the retry asks the provider before it sends again.
      return { transition: 'providerTransient', to: 'sending', releaseSlot: false, rethrow: true };
  }
}

/** True when `transition` may move a row in `from` to `to` (the table above). */
export function isAllowed(transition: SendTransition, from: SendState | null, to: SendState): boolean {
  const t = SEND_TRANSITIONS[transition];
  return (t.from as readonly (SendState | null)[]).includes(from) && (t.to as readonly SendState[]).includes(to);
}
