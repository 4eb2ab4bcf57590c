// What every outreach email carries by law and by RFC 8058: the sender's identity and postal
// address (CAN-SPAM, Spam Act 2003), a visible unsubscribe link, and one-click List-Unsubscribe.

export interface SenderIdentity {
  senderName: string;
  agencyName: string;
  postalAddress: string;
}

export function complianceFooter(identity: SenderIdentity, unsubscribeUrl: string): string {
  return ['', '--', `${identity.senderName}, ${identity.agencyName}`, identity.postalAddress, `Unsubscribe: ${unsubscribeUrl}`].join('\n');
}

export function listUnsubscribeHeaders(unsubscribeUrl: string, mailto?: string): Record<string, string> {
  const parts = [`<${unsubscribeUrl}>`];
  if (mailto) parts.push(`<mailto:${mailto}?subject=unsubscribe>`);
  return { 'List-Unsubscribe': parts.join(', '), 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click' };
}

/** SMS opt-out instruction (carriers and the Spam Act expect a functional opt-out). */
export const SMS_OPT_OUT = 'Reply STOP to opt out';

export function withSmsOptOut(body: string): string {
  return body.includes('STOP') ? body : `${body} ${SMS_OPT_OUT}`;
}
