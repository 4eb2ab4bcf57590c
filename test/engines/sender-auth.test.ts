// Reading the sender verdicts of inbound email headers (Received-SPF, Authentication-Results) and
// their alignment with the From domain: the parts of the inbound-mail trust rule that need no server.
import { aligned, authenticateSender, parseAuthenticationResults, parseReceivedSpf } from '../../src/engines/replies/sender-auth';

const POSTMARK_SPF =
  'Pass (sender SPF authorized) identity=mailfrom; client-ip=209.85.160.180; helo=mail-yk0-f180.google.com; envelope-from=jess@mail.acme.co.uk; receiver=451d9b70cf9364d23ff6f9d51d870251569e+ahoy@inbound.postmarkapp.com';

describe('Received-SPF', () => {
  it('reads the result and the checked domain (mailfrom or helo), comments and case aside', () => {
    expect(parseReceivedSpf(POSTMARK_SPF)).toEqual({ result: 'pass', domain: 'mail.acme.co.uk' });
    expect(parseReceivedSpf('softfail (a (nested) comment; envelope-from=x@evil.example) identity=helo; helo=mx.acme.example')).toEqual({
      result: 'softfail',
      domain: 'mx.acme.example',
    });
    expect(parseReceivedSpf('pass (acme.example: Sender is authorized)')).toEqual({ result: 'pass', domain: null });
    expect(parseReceivedSpf('bogus identity=mailfrom')).toBeNull();
  });
});

describe('Authentication-Results', () => {
  it('reads the authserv-id and each method, ignoring comments and quoted semicolons', () => {
    const r = parseAuthenticationResults(
      'MX.Agency.example 1; dkim=pass (good sig) header.d=acme.example header.s="s;1"; spf=fail smtp.mailfrom=x@evil.example; dmarc=pass (p=reject) header.from=acme.example',
    );
    expect(r?.authservId).toBe('mx.agency.example');
    expect(r?.results.map((x) => [x.method, x.result, Object.fromEntries(x.props)])).toEqual([
      ['dkim', 'pass', { 'header.d': 'acme.example', 'header.s': 's;1' }],
      ['spf', 'fail', { 'smtp.mailfrom': 'x@evil.example' }],
      ['dmarc', 'pass', { 'header.from': 'acme.example' }],
    ]);
    expect(parseAuthenticationResults('mx.agency.example; none')?.results).toEqual([]);
  });
});

describe('alignment (relaxed: same organizational domain)', () => {
  it('follows the Public Suffix List', () => {
    expect(aligned('mail.acme.co.uk', 'acme.co.uk')).toBe(true);
    expect(aligned('acme.co.uk', 'other.co.uk')).toBe(false);
    expect(aligned('bounces.acme.example', 'acme.example')).toBe(true);
    expect(aligned('acme.example.evil.example', 'acme.example')).toBe(false);
    expect(aligned(null, 'acme.example')).toBe(false);
  });
});

describe('authenticateSender', () => {
  const from = 'jess@acme.co.uk';
  const TRUSTED = ['mx.agency.example'];

  it('passes on the first Received-SPF when it is aligned with From', () => {
    expect(authenticateSender({ from, receivedSpf: [POSTMARK_SPF], authenticationResults: [] }, []).passedBy).toBe('spf');
    // A pass for another domain is no evidence about From.
    const other = POSTMARK_SPF.replace('jess@mail.acme.co.uk', 'bounce@sendgrid.net');
    expect(authenticateSender({ from, receivedSpf: [other], authenticationResults: [] }, []).passedBy).toBeNull();
  });

  it('ignores a Received-SPF the message carried below the receiving server’s own', () => {
    const fail = POSTMARK_SPF.replace(/^Pass \(sender SPF authorized\)/, 'Fail (sender not authorized)');
    expect(authenticateSender({ from, receivedSpf: [fail, POSTMARK_SPF], authenticationResults: [] }, []).passedBy).toBeNull();
  });

  it('believes Authentication-Results only from a trusted authserv-id', () => {
    const forged = 'spoof.example; dmarc=pass header.from=acme.co.uk';
    const genuine = 'mx.agency.example; dkim=pass header.d=mail.acme.co.uk';
    expect(authenticateSender({ from, receivedSpf: [], authenticationResults: [forged] }, TRUSTED).passedBy).toBeNull();
    expect(authenticateSender({ from, receivedSpf: [], authenticationResults: [forged, genuine] }, TRUSTED)).toMatchObject({
      passedBy: 'dkim',
      authservId: 'mx.agency.example',
    });
    // Nothing configured: none is believed.
    expect(authenticateSender({ from, receivedSpf: [], authenticationResults: [genuine] }, []).passedBy).toBeNull();
  });

  it('passes on DMARC for the From domain; a trusted dmarc=fail vetoes the rest', () => {
    expect(
      authenticateSender({ from, receivedSpf: [], authenticationResults: ['mx.agency.example; dmarc=pass header.from=acme.co.uk'] }, TRUSTED).passedBy,
    ).toBe('dmarc');
    expect(
      authenticateSender({ from, receivedSpf: [], authenticationResults: ['mx.agency.example; dmarc=pass header.from=other.example'] }, TRUSTED).passedBy,
    ).toBeNull();
    expect(
      authenticateSender({ from, receivedSpf: [POSTMARK_SPF], authenticationResults: ['mx.agency.example; dmarc=fail header.from=acme.co.uk'] }, TRUSTED)
        .passedBy,
    ).toBeNull();
  });
});
