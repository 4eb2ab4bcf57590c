// Direct mail that reaches a real lead: a lead with a structured postal address, a mail touch on
// the real stack (dev server, PostgreSQL, the API listening on a port), the real ClickSend driver
// against the local fake, which downloads the letter from the signed URL as ClickSend would. The
// downloaded PDF's text is read back with pdf-parse. Also: the signed URL's refusals, rendering,
// and the letter on the lead's timeline.
import type { Server } from 'node:http';
import request from 'supertest';
import { renderLetterPdf, signedLetterUrl } from '../../src/engines/letters';
import { startClickSendFake, CLICKSEND_FAKE_KEY, CLICKSEND_FAKE_USER, type ClickSendFake } from '../fakes/clicksend-fake';
import { leadCalendar, windowOpenNow } from '../harness/clock';
import { createClientWithUser, createLead } from '../harness/fixtures';
import { freePort } from '../harness/ports';
import { pdfText } from '../harness/pdf-text';
import { startTestStack, type TestStack } from '../harness/stack';
import { workflowIds } from '../../workflows/ids';
import { launchCampaign, sequenceHandle } from '../sequences/helpers';

let stack: TestStack;
let cs: ClickSendFake;
let server: Server;
let publicUrl: string;
const SECRET = 'test-signing-secret-0123456789abcdef0123456789';

beforeAll(async () => {
  cs = await startClickSendFake({ fetchFiles: true });
  const port = await freePort();
  publicUrl = `http://127.0.0.1:${port}`;
  stack = await startTestStack({
    env: {
      PUBLIC_URL: publicUrl,
      SIGNING_SECRET: SECRET,
      CLICKSEND_USERNAME: CLICKSEND_FAKE_USER,
      CLICKSEND_API_KEY: CLICKSEND_FAKE_KEY,
      CLICKSEND_BASE_URL: cs.url,
    },
  });
  // The print provider fetches the letter from PUBLIC_URL: the API must really listen there.
  await new Promise<void>((resolve) => {
    server = stack.app.listen(port, '127.0.0.1', () => resolve());
  });
});
afterAll(async () => {
  await new Promise((r) => server?.close(r));
  await cs?.close();
  await stack?.stop();
});

it('renders a letter: sender block, address block, copy and opt-out line', async () => {
  const letter = {
    id: '00000000-0000-4000-8000-000000000001',
    sender: { name: 'Sam Carter, Bright Agency', lines: ['1 Test Street', 'Sydney NSW 2000'] },
    recipient: { name: 'Ana Ruiz', lines: ['Acme Pty Ltd', 'Level 2, 10 Market Street', 'MELBOURNE VIC 3000'] },
    body: 'Dear Ana,\n\nA short note about new clients.\n\nSam',
    optOut: 'To receive no more letters, visit https://agency.example/u/abc',
    createdAt: new Date('2026-05-01T00:00:00Z'),
  };
  const pdf = await renderLetterPdf(letter as never);
  expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
  const text = await pdfText(pdf);
  const order = [
    'Sam Carter, Bright Agency',
    '1 Test Street',
    'Sydney NSW 2000',
    'Ana Ruiz',
    'Acme Pty Ltd',
    'Level 2, 10 Market Street',
    'MELBOURNE VIC 3000',
    '1 May 2026',
    'Dear Ana,',
    'A short note about new clients.',
    'To receive no more letters, visit https://agency.example/u/abc',
  ];
  let at = -1;
  for (const piece of order) {
    const i = text.indexOf(piece);
    expect([piece, i > at]).toEqual([piece, true]);
    at = i;
  }
  // Reproducible: the same row renders the same document.
  expect((await renderLetterPdf(letter as never)).equals(pdf)).toBe(true);
});

it('sends a mail touch through ClickSend with a signed PDF link the provider downloads, and records the letter', async () => {
  const cal = windowOpenNow();
  const { client, auth: ownerAuth } = await createClientWithUser(stack.db, {
    timeZone: cal.timeZone,
    country: cal.country,
    state: cal.state,
    sendWindow: cal.sendWindow,
  });
  // ClickSend's return address id is the mail resource.
  await stack.db.sendResource.create({ data: { clientId: client.id, channel: 'mail', identifier: '4242', dailyLimit: 100 } });
  const lead = await createLead(stack.db, client.id, {
    firstName: 'Ana',
    lastName: 'Ruiz',
    companyName: 'Acme Pty Ltd',
    ...leadCalendar(cal),
    enrichment: {},
    addressLine1: 'Level 2, 10 Market Street',
    addressCity: 'Melbourne',
    addressState: 'VIC',
    addressPostalCode: '3000',
    addressCountry: 'AU',
  });
  const sequence = { version: 1 as const, touches: [{ number: 1, day: 0, channel: 'mail' as const, kind: 'mail' as const }] };
  const campaign = await launchCampaign(stack.temporal, stack.taskQueue, stack.db, { clientId: client.id, name: 'letters', sequence }, [lead.id]);
  const state = await (await sequenceHandle(stack.temporal, campaign.id, lead.id)).result();
  expect(state.timeline[0]).toMatchObject({ touch: 1, channel: 'mail', status: 'sent' });

  expect(cs.letters).toHaveLength(1);
  const sent = cs.letters[0];
  expect(sent.recipient).toMatchObject({
    address_name: 'Ana Ruiz',
    address_line_1: 'Level 2, 10 Market Street',
    address_city: 'Melbourne',
    address_state: 'VIC',
    address_postal_code: '3000',
    address_country: 'AU',
    return_address_id: 4242,
  });
  const letterRow = await stack.db.letter.findUniqueOrThrow({ where: { idempotencyKey: `${workflowIds.sequence(campaign.id, lead.id)}:touch:1` } });
  expect(sent.file_url).toMatch(new RegExp(`^${publicUrl}/api/v1/letters/${letterRow.id}\\.pdf\\?exp=\\d+&sig=[A-Za-z0-9_-]{43}$`));
  expect(sent.file?.contentType).toBe('application/pdf');
  const text = await pdfText(sent.file!.body);
  expect(text).toContain(`Sam Sender, ${client.name}`);
  expect(text).toContain('1 Test Street\nSydney NSW 2000');
  expect(text).toContain('Ana Ruiz\nAcme Pty Ltd\nLevel 2, 10 Market Street\nMELBOURNE VIC 3000');
  expect(text).toContain('Dear Ana,');
  // The opt-out line with its unsubscribe link (wrapped over lines on the page), all on one page.
  expect(letterRow.optOut).toMatch(new RegExp(`To receive no more letters or messages from us, visit ${publicUrl}/u/[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+$`));
  expect(text.replace(/\s+/g, '')).toContain(letterRow.optOut.replace(/\s+/g, ''));
  expect(text).toContain('-- 1 of 1 --');

  // The timeline: the sent activity names the letter, and the lead's timeline serves it.
  const activity = await stack.db.activity.findFirstOrThrow({ where: { leadId: lead.id, action: 'sent', channel: 'mail' } });
  expect(activity.metadata).toMatchObject({ letterId: letterRow.id });
  const view = await request(stack.app).get(`/api/v1/clients/${client.id}/leads/${lead.id}`).set(ownerAuth).expect(200);
  expect(view.body.timeline.activities).toEqual(
    expect.arrayContaining([expect.objectContaining({ action: 'sent', channel: 'mail', metadata: expect.objectContaining({ letterId: letterRow.id }) })]),
  );
});

it('serves a letter only at its signed, unexpired URL', async () => {
  const { client } = await createClientWithUser(stack.db);
  const row = await stack.db.letter.create({
    data: {
      clientId: client.id,
      leadId: 'lead-x',
      idempotencyKey: `k-${Date.now()}`,
      sender: { name: 'S', lines: ['A'] },
      recipient: { name: 'R', lines: ['B'] },
      body: 'Hello',
      optOut: 'Opt out',
    },
  });
  const good = new URL(signedLetterUrl(publicUrl, row.id, SECRET, new Date()));
  const ok = await request(stack.app)
    .get(good.pathname + good.search)
    .expect(200);
  expect(ok.headers['content-type']).toBe('application/pdf');
  expect(await pdfText(ok.body as Buffer)).toContain('Hello');

  // Tampered signature, another letter's signature, another secret: 403, and nothing read.
  const sig = good.searchParams.get('sig')!;
  const flipped = `${sig[0] === 'A' ? 'B' : 'A'}${sig.slice(1)}`;
  await request(stack.app)
    .get(`${good.pathname}?exp=${good.searchParams.get('exp')}&sig=${flipped}`)
    .expect(403);
  await request(stack.app)
    .get(`${good.pathname}?exp=${Number(good.searchParams.get('exp')) + 1}&sig=${sig}`)
    .expect(403);
  const other = new URL(signedLetterUrl(publicUrl, row.id, 'another-secret-0123456789abcdef0123456789', new Date()));
  expect(
    (
      await request(stack.app)
        .get(other.pathname + other.search)
        .expect(403)
    ).body.error.code,
  ).toBe('BAD_SIGNATURE');
  // Expired: 410.
  const old = new URL(signedLetterUrl(publicUrl, row.id, SECRET, new Date(Date.now() - 8 * 86_400_000)));
  expect(
    (
      await request(stack.app)
        .get(old.pathname + old.search)
        .expect(410)
    ).body.error.code,
  ).toBe('LINK_EXPIRED');
  // Missing or malformed query: 400; a validly signed id with no letter: 404.
  await request(stack.app).get(good.pathname).expect(400);
  await request(stack.app).get(`${good.pathname}?exp=abc&sig=${sig}`).expect(400);
  const missing = new URL(signedLetterUrl(publicUrl, '00000000-0000-4000-8000-00000000abcd', SECRET, new Date()));
  await request(stack.app)
    .get(missing.pathname + missing.search)
    .expect(404);
});
