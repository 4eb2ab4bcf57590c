// The shared domain definitions (src/shared/domain): one place for channels, place names and email
// domains, read by scoring, enrichment, the scout and the workflows.
import { CHANNELS, MESSAGING_ORDER, isChannel } from '../../src/shared/domain/channels';
import { isDisposableDomain, isFreeMailDomain, isWorkDomain } from '../../src/shared/domain/email-domains';
import { auStateCode, countryCodeFromName, knownStateCode } from '../../src/shared/domain/places';

describe('shared domain', () => {
  it('has one channel list, and copy is generated over all of it', () => {
    expect([...MESSAGING_ORDER].sort()).toEqual([...CHANNELS].sort());
    expect(isChannel('mail')).toBe(true);
    expect(isChannel('fax')).toBe(false);
  });

  it('reads country names, everyday aliases and alpha-3 codes, and never guesses', () => {
    expect(countryCodeFromName('Australia')).toBe('AU');
    expect(countryCodeFromName('  new   zealand ')).toBe('NZ');
    expect(countryCodeFromName('England')).toBe('GB');
    expect(countryCodeFromName('AUS')).toBe('AU');
    expect(countryCodeFromName('usa')).toBe('US');
    expect(countryCodeFromName('Norway')).toBe('NO'); // the standard's own name, no alias needed
    expect(countryCodeFromName('WA')).toBeNull(); // two letters are the caller's call
    expect(countryCodeFromName('Atlantis')).toBeNull();
  });

  it('reads states by name or abbreviation for AU, US and CA only', () => {
    expect(auStateCode('New South Wales')).toBe('NSW');
    expect(auStateCode('vic')).toBe('VIC');
    expect(auStateCode('Texas')).toBeUndefined();
    expect(knownStateCode('US', 'new york')).toBe('NY');
    expect(knownStateCode('CA', 'Québec')).toBe('QC');
    expect(knownStateCode('GB', 'Kent')).toBeNull();
  });

  it('tells consumer and throwaway domains from work domains, case-insensitively', () => {
    expect(isFreeMailDomain('Gmail.com')).toBe(true);
    expect(isFreeMailDomain('bigpond.net.au')).toBe(true);
    expect(isDisposableDomain('mailinator.com')).toBe(true);
    expect(isWorkDomain('mailinator.com')).toBe(false);
    expect(isWorkDomain('acme.com.au')).toBe(true);
  });
});
