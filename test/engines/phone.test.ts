// One phone function for storage, suppression, STOP handling, DNCR and inbound matching.
import { normalizePhone, parsePhone, phoneSpellings } from '../../src/engines/compliance/phone';
import { isAustralianNumber } from '../../src/engines/compliance/dncr-wash';
import { phoneVariants } from '../../src/engines/replies/match';

describe('phone numbers', () => {
  it('reads international and national spellings as one E.164 number', () => {
    const cases: Array<[string, string | undefined, string]> = [
      ['+61 (0)4 1234 5678', undefined, '+61412345678'],
      ['0412 345 678', 'AU', '+61412345678'],
      ['0011 61 412 345 678', 'AU', '+61412345678'],
      ['0061 412 345 678', 'AU', '+61412345678'],
      ['07700 900123', 'GB', '+447700900123'],
      ['021 123 4567', 'NZ', '+64211234567'],
      ['(415) 555-0100', 'US', '+14155550100'],
      ['+1 415 555 0100', 'AU', '+14155550100'],
    ];
    for (const [input, country, e164] of cases) expect([input, parsePhone(input, country)]).toEqual([input, e164]);
  });

  it('refuses what is not a number, and keys it without inventing a bare "+"', () => {
    for (const input of ['+', '()', 'abc', '12']) expect([input, parsePhone(input)]).toEqual([input, null]);
    expect(normalizePhone('+')).toBe('+');
    expect(normalizePhone('(12)')).toBe('+12');
  });

  it('gives DNCR and inbound matching the same answer', () => {
    expect(isAustralianNumber('0412 345 678')).toBe(true);
    expect(isAustralianNumber('+61 (0)4 1234 5678')).toBe(true);
    expect(isAustralianNumber('+64 21 123 4567')).toBe(false);
    expect(phoneVariants('+61412345678').sort()).toEqual(['+61412345678', '0412345678']);
    expect(phoneSpellings('+447700900123')).toContain('07700900123');
    expect(phoneVariants('+14155550100')).toContain('4155550100');
  });
});
