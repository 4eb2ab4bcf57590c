// Which inbox events can wait. Tracking events (deliveries, opens, clicks, SMS status callbacks,
// call progress) arrive in bursts after a large send and change no sequence; everything else (a
// reply, bounce, complaint, unsubscribe) may stop one, and "a reply stops every channel within a
// second" is a promise. Decided from the provider and the event type the route stored, so no
// payload is parsed again.
import { HEYREACH_REPLY_EVENTS } from '../../integrations/heyreach/webhook-schema';

const POSTMARK_TRACKING = new Set(['delivery', 'open', 'click']);
const HEYREACH_REPLIES = new Set<string>(HEYREACH_REPLY_EVENTS);

/** True for events that never stop or pause a sequence (their processing may be deferred). */
export function isTrackingEvent(provider: string, eventType: string): boolean {
  switch (provider) {
    case 'postmark':
      return POSTMARK_TRACKING.has(eventType);
    case 'twilio':
      return eventType.startsWith('status:');
    case 'heyreach':
      return !HEYREACH_REPLIES.has(eventType.toUpperCase());
    case 'vapi':
      return eventType !== 'end_of_call_report';
    default:
      return false;
  }
}
