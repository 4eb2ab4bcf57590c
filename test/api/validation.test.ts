// Input validation at the edges (issue 13 item 8): out-of-range numbers and dates, forged cursors,
// phone numbers through libphonenumber-js, LinkedIn URLs, ISO 3166-1 countries, LIKE wildcards in
// searches, and the documented maximum of the enrol route — each a clear 400 (or accepted), never a 500.
import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { startTestStack, type TestStack } from '../harness/stack';
import { createClientWithUser } from '../harness/fixtures';
import { findSuppression, suppress } from '../../src/engines/compliance/suppression';

let stack: TestStack;
let clientId: string;
let auth: Record<string, string>;
const admin = () => ({ Authorization: `Bearer ${stack.adminKey}` });

beforeAll(async () => {
  stack = await startTestStack();
  const c = await createClientWithUser(stack.db);
  clientId = c.client.id;
  auth = c.auth;
});
afterAll(async () => {
  await stack?.stop();
});

const leads = () => `/api/v1/clients/${clientId}/leads`;
const cursorOf = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

it('bounds sequence touch numbers instead of accepting what cannot be stored', async () => {
  const before = await stack.db.campaign.count({ where: { clientId } });
  for (const number of [2_147_483_648, 101]) {
    const res = await request(stack.app)
      .post(`/api/v1/clients/${clientId}/campaigns`)
      .set(auth)
      .send({ name: 'Big', sequence: { version: 1, touches: [{ number, day: 0, channel: 'email', kind: 'email_intro' }] } });
    expect([number, res.status]).toEqual([number, 400]);
    expect(res.body.error.details[0].path).toEqual(['sequence', 'touches', '0', 'number']);
  }
  expect(await stack.db.campaign.count({ where: { clientId } })).toBe(before);
});

it('answers 400, not 500, to forged cursors and out-of-range dates', async () => {
  for (const cursor of [
    cursorOf(['0000-01-01T00:00:00.000Z', randomUUID()]),
    cursorOf([0, 1]),
    cursorOf({ a: 1 }),
    cursorOf(['2026-01-01T00:00:00.000Z', "x' OR 1=1"]),
    'not-base64!',
  ]) {
    const res = await request(stack.app)
      .get(`${leads()}?cursor=${encodeURIComponent(cursor)}`)
      .set(auth);
    expect([cursor, res.status]).toEqual([cursor, 400]);
  }
  // A real cursor still works.
  await request(stack.app).post(leads()).set(auth).send({ email: 'page1@acme.example' }).expect(201);
  await request(stack.app).post(leads()).set(auth).send({ email: 'page2@acme.example' }).expect(201);
  const first = await request(stack.app).get(`${leads()}?limit=1`).set(auth).expect(200);
  await request(stack.app).get(`${leads()}?limit=1&cursor=${first.body.nextCursor}`).set(auth).expect(200);

  for (const q of ['from=0000-01-01', 'to=0000-01-01', 'from=0001-01-01T00:00:00Z']) {
    const res = await request(stack.app).get(`/api/v1/outputs?clientId=${clientId}&${q}`).set(auth);
    expect([q, res.status]).toEqual([q, 400]);
  }
  await request(stack.app).get(`/api/v1/outputs?clientId=${clientId}&from=2026-01-01`).set(auth).expect(200);
});

it('stores phone numbers in E.164 through libphonenumber-js, reading national numbers in the lead’s or client’s country', async () => {
  for (const phone of ['+', '()', '+ - .']) {
    const res = await request(stack.app).post(leads()).set(auth).send({ phone });
    expect([phone, res.status]).toEqual([phone, 400]);
  }
  const cases: Array<[object, string]> = [
    [{ phone: '+61 (0)4 1234 5678' }, '+61412345678'],
    [{ phone: '0412 345 679' }, '+61412345679'], // the client's country (AU)
    [{ phone: '07700 900123', country: 'GB' }, '+447700900123'],
    [{ phone: '021 123 4567', country: 'NZ' }, '+64211234567'],
  ];
  for (const [lead, e164] of cases) {
    const res = await request(stack.app).post(leads()).set(auth).send(lead);
    expect([lead, res.status, res.body.lead?.phone]).toEqual([lead, 201, e164]);
  }
  // Suppression compares the same way: a national spelling finds the international entry.
  await suppress(stack.db, { clientId, kind: 'phone', value: '+61 (0)4 9999 0000', reason: 'sms_stop' });
  expect(await findSuppression(stack.db, clientId, { phone: '0499 990 000' })).toMatchObject({ value: '+61499990000' });
  const refused = await request(stack.app).post(leads()).set(auth).send({ phone: '04 9999 0000' });
  expect(refused.status).toBe(422);
});

it('accepts only http(s) linkedin.com URLs and ISO 3166-1 countries', async () => {
  for (const linkedinUrl of ['javascript:alert(1)//linkedin.com/in/x', 'file:///etc/passwd', 'https://evil.example/in/x']) {
    const res = await request(stack.app).post(leads()).set(auth).send({ linkedinUrl });
    expect([linkedinUrl, res.status]).toEqual([linkedinUrl, 400]);
  }
  await request(stack.app).post(leads()).set(auth).send({ linkedinUrl: 'https://au.linkedin.com/in/jane-valid' }).expect(201);

  for (const country of ['ZZ', 'XX', 'UK']) {
    const res = await request(stack.app)
      .post(leads())
      .set(auth)
      .send({ email: `c-${country}@acme.example`, country });
    expect([country, res.status]).toEqual([country, 400]);
    const patched = await request(stack.app).patch(`/api/v1/clients/${clientId}`).set(auth).send({ country });
    expect([country, patched.status]).toEqual([country, 400]);
  }
  await request(stack.app).post(leads()).set(auth).send({ email: 'c-gb@acme.example', country: 'gb' }).expect(201);
});

it('matches % and _ in ?q= literally', async () => {
  const tag = randomUUID().slice(0, 8);
  for (const name of [`100% Growth ${tag}`, `Plain ${tag}`, `under_score ${tag}`, `underXscore ${tag}`]) {
    await request(stack.app)
      .post('/api/v1/clients')
      .set(admin())
      .send({ name, owner: { email: `o-${randomUUID()}@x.example` } })
      .expect(201);
  }
  const names = async (q: string) =>
    (
      (
        await request(stack.app)
          .get(`/api/v1/clients?limit=200&q=${encodeURIComponent(q)}`)
          .set(admin())
          .expect(200)
      ).body.data as Array<{ name: string }>
    )
      .map((c) => c.name)
      .filter((n) => n.endsWith(tag))
      .sort();
  expect(await names('%')).toEqual([`100% Growth ${tag}`]);
  expect(await names('under_')).toEqual([`under_score ${tag}`]);
});

it('accepts the documented maximum of 10,000 lead ids on the enrol route', async () => {
  const campaign = await stack.db.campaign.create({
    data: { clientId, name: 'Enrol', sequence: { version: 1, touches: [{ number: 1, day: 0, channel: 'email', kind: 'email_intro' }] } },
  });
  const leadIds = Array.from({ length: 10_000 }, () => randomUUID());
  const res = await request(stack.app).post(`/api/v1/clients/${clientId}/campaigns/${campaign.id}/leads`).set(auth).send({ leadIds });
  expect(res.status).not.toBe(413);
  expect(res.status).toBeLessThan(500);
  const tooMany = await request(stack.app)
    .post(`/api/v1/clients/${clientId}/campaigns/${campaign.id}/leads`)
    .set(auth)
    .send({ leadIds: [...leadIds, randomUUID()] });
  expect(tooMany.status).toBe(400);
});

it('skill routes: bad slugs, version numbers and bodies are a 400, never a 500', async () => {
  const skills = `/api/v1/clients/${clientId}/skills`;
  for (const path of [
    `${skills}/Not_A_Slug`,
    `${skills}/copywriting/versions/0`,
    `${skills}/copywriting/versions/abc`,
    `${skills}/copywriting/versions/99999999999`,
    '/api/v1/skills/copywriting/versions/-1',
  ]) {
    const res = await request(stack.app).get(path).set(auth);
    expect([path, res.status]).toEqual([path, 400]);
  }
  for (const body of [
    {},
    { slug: 'ok-slug' },
    { slug: 'ok-slug', skillMd: 42 },
    { slug: 'ok-slug', skillMd: 'x', files: ['a.md'] },
    { slug: 'ok-slug', skillMd: 'x', files: { 'a.md': 1 } },
  ]) {
    const res = await request(stack.app).post(skills).set(auth).send(body);
    expect([body, res.status]).toEqual([body, 400]);
  }
  expect(await stack.db.skill.count({ where: { clientId } })).toBe(0);
});
