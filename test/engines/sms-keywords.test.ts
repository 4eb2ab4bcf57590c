import { SMS_HELP_KEYWORDS, SMS_OPT_IN_KEYWORDS, SMS_OPT_OUT_KEYWORDS, normalizeSmsKeyword, smsKeyword } from '../../src/engines/compliance/sms-keywords';

describe('smsKeyword', () => {
  it.each(SMS_OPT_OUT_KEYWORDS.map((k) => [k]))('%s opts out', (k) => {
    expect(smsKeyword(k)).toBe('opt_out');
    expect(smsKeyword(k.toLowerCase())).toBe('opt_out');
  });

  it.each(SMS_OPT_IN_KEYWORDS.map((k) => [k]))('%s opts in', (k) => {
    expect(smsKeyword(k)).toBe('opt_in');
  });

  it.each(SMS_HELP_KEYWORDS.map((k) => [k]))('%s asks for help', (k) => {
    expect(smsKeyword(k)).toBe('help');
  });

  it.each([
    ['Stop', 'opt_out'],
    ['  stop  ', 'opt_out'],
    ['STOP.', 'opt_out'],
    ['Stop!!!', 'opt_out'],
    ['stop?', 'opt_out'],
    ['"STOP"', 'opt_out'],
    ['\tUnsubscribe\n', 'opt_out'],
    ['Stop All', 'opt_out'],
    ['opt out', 'opt_out'],
    ['Opt-Out', null], // a hyphen inside is not whitespace: carriers do not treat it as OPTOUT either
    ['ＳＴＯＰ', 'opt_out'], // full-width letters from some keyboards
    ['Yes!', 'opt_in'],
    ['start.', 'opt_in'],
    ['UnStop', 'opt_in'],
    ['help?', 'help'],
    ['Info', 'help'],
  ] as const)('%j → %s', (body, kind) => {
    expect(smsKeyword(body)).toBe(kind);
  });

  it.each([
    'Please stop texting me',
    'stop it now please',
    'STOP IT',
    'yes please',
    'Yes, call me tomorrow',
    'I need help with my order',
    'stopping by later',
    'unstoppable',
    'information',
    'ends',
    'quit it',
    '',
    '   ',
    '...',
    'S T O P P',
  ])('%j is not a keyword (whole-message match only)', (body) => {
    expect(smsKeyword(body)).toBeNull();
  });

  it('tolerates missing bodies', () => {
    expect(smsKeyword(undefined)).toBeNull();
    expect(smsKeyword(null)).toBeNull();
  });

  it('normalises case, inner whitespace and edge punctuation only', () => {
    expect(normalizeSmsKeyword('  Stop  all!! ')).toBe('STOPALL');
    expect(normalizeSmsKeyword('(help)')).toBe('HELP');
  });
});
