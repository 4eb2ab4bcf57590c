// What reply processing needs from the running sequences; built on the Temporal client by the
// lifecycle layer. Its own module so meetings (bookings) and replies both use it without a cycle.
import type { ReplyStopReason } from './effects';
import type { KnownEnrollments } from './match';

export interface SequenceControl {
  /** Stops every running sequence of the lead; returns how many were signalled. `known`: its enrolments, if just read. */
  stop(leadId: string, reason: ReplyStopReason, eventId: string, known?: KnownEnrollments['rows']): Promise<number>;
  /** Pauses every running sequence of the lead until after the return date. */
  outOfOffice(leadId: string, returnDate: string, eventId: string): Promise<number>;
  /** Enrols a (referred) lead in a campaign and tells the campaign. */
  enrol(a: { clientId: string; campaignId: string; leadId: string }): Promise<void>;
}
