// Email domains that say something about the address rather than the person's employer: consumer
// providers (AU/NZ ISPs included) and throwaway inboxes. Scoring and enrichment both read these;
// before they had a list each, and the two had drifted apart.
//
// Written here rather than taken from npm: `free-email-domains` downloads its list from HubSpot in a
// postinstall script (fails offline, and an install would not be reproducible), and the maintained
// disposable-domain lists are tens of thousands of entries for a check that is a score signal, not a
// gate. A verifier's flags (`freeMailDomain`, `disposableDomain` on the lead) override these lists.

export const FREE_MAIL_DOMAINS: ReadonlySet<string> = new Set([
  'gmail.com',
  'googlemail.com',
  'yahoo.com',
  'yahoo.com.au',
  'yahoo.co.uk',
  'yahoo.co.nz',
  'ymail.com',
  'hotmail.com',
  'hotmail.co.uk',
  'hotmail.com.au',
  'outlook.com',
  'outlook.com.au',
  'live.com',
  'live.com.au',
  'msn.com',
  'icloud.com',
  'me.com',
  'mac.com',
  'aol.com',
  'protonmail.com',
  'proton.me',
  'gmx.com',
  'gmx.net',
  'mail.com',
  'yandex.com',
  'bigpond.com',
  'bigpond.net.au',
  'optusnet.com.au',
  'iinet.net.au',
  'tpg.com.au',
  'internode.on.net',
  'xtra.co.nz',
  'btinternet.com',
  'sky.com',
  'comcast.net',
  'verizon.net',
  'att.net',
  'qq.com',
  '163.com',
]);

export const DISPOSABLE_DOMAINS: ReadonlySet<string> = new Set([
  'mailinator.com',
  'guerrillamail.com',
  '10minutemail.com',
  'tempmail.com',
  'temp-mail.org',
  'yopmail.com',
  'trashmail.com',
  'sharklasers.com',
  'getnada.com',
  'dispostable.com',
  'maildrop.cc',
  'throwawaymail.com',
  'fakeinbox.com',
  'mailnesia.com',
  'tempmailo.com',
  'emailondeck.com',
  'burnermail.io',
  'moakt.com',
]);

export function isFreeMailDomain(domain: string): boolean {
  return FREE_MAIL_DOMAINS.has(domain.toLowerCase());
}

export function isDisposableDomain(domain: string): boolean {
  return DISPOSABLE_DOMAINS.has(domain.toLowerCase());
}

/** Neither a consumer provider nor a throwaway inbox: the domain may name the employer. */
export function isWorkDomain(domain: string): boolean {
  return !isFreeMailDomain(domain) && !isDisposableDomain(domain);
}
