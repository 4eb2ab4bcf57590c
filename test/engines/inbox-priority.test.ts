// Which inbox events may wait during a burst: only those that never stop or pause a sequence.
import { isTrackingEvent } from '../../src/engines/inbox/priority';

it.each([
  ['postmark', 'delivery', true],
  ['postmark', 'open', true],
  ['postmark', 'click', true],
  ['postmark', 'inbound', false],
  ['postmark', 'bounce', false],
  ['postmark', 'spam_complaint', false],
  ['postmark', 'subscription_change', false],
  ['twilio', 'status:delivered', true],
  ['twilio', 'status:undelivered', true],
  ['twilio', 'inbound', false],
  ['heyreach', 'CONNECTION_REQUEST_ACCEPTED', true],
  ['heyreach', 'every_message_reply_received', false],
  ['heyreach', 'INMAIL_REPLY_RECEIVED', false],
  ['vapi', 'status_update', true],
  ['vapi', 'end_of_call_report', false],
  ['unsubscribe', 'unsubscribe', false],
  ['some-new-provider', 'anything', false],
])('%s %s → tracking %s', (provider, eventType, tracking) => {
  expect(isTrackingEvent(provider, eventType)).toBe(tracking);
});
