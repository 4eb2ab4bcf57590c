// The send state machine's decisions, one transition at a time (no servers: pure functions).
import { afterProviderCall, isAllowed, nextStep, SEND_TRANSITIONS, type Reservation } from '../../src/engines/outbound/send-states';

const r = (p: Partial<Reservation>): Reservation => ({ state: 'reserved', resourceId: null, took: false, resourceUsable: false, ...p });
const lookUp = { canLookUp: true };
const blind = { canLookUp: false };

describe('nextStep after the reservation', () => {
  it.each(['sent', 'failed', 'skipped'] as const)('reports a %s row and changes nothing', (state) => {
    expect(nextStep(r({ state, resourceId: 'res' }), lookUp)).toEqual({ step: 'report', outcome: state });
    expect(nextStep(r({ state, resourceId: 'res', took: true, resourceUsable: true }), blind)).toEqual({ step: 'report', outcome: state });
  });

  it('waits for room when no resource had a slot (reserved, no resource)', () => {
    expect(nextStep(r({}), lookUp)).toEqual({ step: 'wait_for_room' });
  });

  it('calls the provider when this attempt took the slot', () => {
    expect(nextStep(r({ state: 'sending', resourceId: 'res', took: true, resourceUsable: true }), blind)).toEqual({ step: 'call_provider' });
  });

  it('asks the provider first when an earlier attempt left the row sending (crash after reserve or after the send)', () => {
    expect(nextStep(r({ state: 'sending', resourceId: 'res', resourceUsable: true }), lookUp)).toEqual({ step: 'look_up' });
  });

  it('sends once the provider said it has nothing (the earlier attempt never reached it)', () => {
    expect(nextStep(r({ state: 'sending', resourceId: 'res', resourceUsable: true }), lookUp, true)).toEqual({ step: 'call_provider' });
  });

  it('gives up rather than resend when the provider cannot tell', () => {
    expect(nextStep(r({ state: 'sending', resourceId: 'res', resourceUsable: true }), blind)).toEqual({ step: 'give_up_unknown' });
  });

  it('takes another slot when the row names a resource that is gone', () => {
    expect(nextStep(r({ state: 'sending', resourceId: 'gone' }), lookUp, true)).toEqual({ step: 'retake_slot' });
    expect(nextStep(r({ state: 'sending', resourceId: 'gone', took: true }), lookUp)).toEqual({ step: 'retake_slot' });
  });

  it('an older row reserved with a slot but never moved on is sent by this attempt', () => {
    expect(nextStep(r({ state: 'reserved', resourceId: 'res', resourceUsable: true }), blind)).toEqual({ step: 'call_provider' });
  });
});

describe('afterProviderCall', () => {
  it('accepted → sent, slot kept', () => {
    expect(afterProviderCall({ kind: 'accepted' })).toEqual({ transition: 'providerAccepted', to: 'sent', releaseSlot: false, rethrow: false });
  });
  it('rejected → failed, slot released', () => {
    expect(afterProviderCall({ kind: 'rejected' })).toEqual({ transition: 'providerRejected', to: 'failed', releaseSlot: true, rethrow: false });
  });
  it('transient → stays sending and the error goes to the retry', () => {
    expect(afterProviderCall({ kind: 'transient' })).toEqual({ transition: 'providerTransient', to: 'sending', releaseSlot: false, rethrow: true });
  });
});

describe('the transition table', () => {
  it('only moves rows along named transitions; final states have none out', () => {
    for (const [name, t] of Object.entries(SEND_TRANSITIONS)) {
      for (const from of t.from) expect(['sent', 'failed', 'skipped']).not.toContain(from);
      for (const to of t.to) expect(isAllowed(name as keyof typeof SEND_TRANSITIONS, t.from[0], to)).toBe(true);
    }
    expect(isAllowed('providerAccepted', 'reserved', 'sent')).toBe(false);
    expect(isAllowed('takeSlot', 'sent', 'sending')).toBe(false);
  });
});
