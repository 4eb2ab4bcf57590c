// Leads can be corrected (issue 17, item 4) and carry postal addresses (item 2), on the real stack:
// PATCH with the import's checks, addresses validated per country on import (JSON and CSV) and on
// PATCH, POST …/enrich re-running the waterfall past the cache (Apollo's fake counts the lookups,
// and supplies the company address) and re-scoring, PUT …/icp editing the ICP and re-scoring.
import request from 'supertest';
import { ApolloEnrichment } from '../../src/integrations/apollo/apollo';
import { SandboxApifyEnrichment } from '../../src/integrations/apify/enrichment';
import { SandboxClayEnrichment } from '../../src/integrations/clay/clay';
import { suppress } from '../../src/engines/compliance/suppression';
import { APOLLO_FAKE_KEY, apolloPerson, startApolloFake, type ApolloFake } from '../fakes/apollo-fake';
import { addUser, createClientWithUser } from '../harness/fixtures';
import { startTestStack, type TestStack } from '../harness/stack';

let stack: TestStack;
let apollo: ApolloFake;
let clientId: string;
let auth: Record<string, string>;

beforeAll(async () => {
  apollo = await startApolloFake();
  stack = await startTestStack({
    activityDeps: {
      enrichment: {
        apollo: new ApolloEnrichment({ apiKey: APOLLO_FAKE_KEY, baseUrl: apollo.url }),
        apify: new SandboxApifyEnrichment(),
        clay: new SandboxClayEnrichment(),
      },
    },
  });
  const c = await createClientWithUser(stack.db);
  clientId = c.client.id;
  auth = c.auth;
  await stack.db.client.update({
    where: { id: clientId },
    data: { icpIndustries: ['Software'], icpCompanySizes: ['11-50'], icpTitles: ['Founder'], icpLocations: ['AU'], icpConfirmedAt: new Date() },
  });
});
afterAll(async () => {
  await apollo?.close();
  await stack?.stop();
});

const base = () => `/api/v1/clients/${clientId}/leads`;
const lookups = (email: string) => apollo.requests.filter((r) => r.query.get('email') === email).length;

async function createdLead(body: object) {
  const res = await request(stack.app).post(base()).set(auth).send(body).expect(201);
  // Let its enrichment finish before the test changes anything.
  await stack.temporal.workflow.getHandle(res.body.enrichment.workflowId).result();
  return stack.db.lead.findUniqueOrThrow({ where: { id: res.body.lead.id } });
}

describe('PATCH a lead', () => {
  it('corrects contact, company, time zone and address, with an audit row', async () => {
    const lead = await createdLead({ email: 'fix-me@typo.example', firstName: 'Jo', companyName: 'Old Co', timeZone: 'Australia/Sydney', country: 'AU' });
    const res = await request(stack.app)
      .patch(`${base()}/${lead.id}`)
      .set(auth)
      .send({
        email: 'Jo@Fixed.example',
        phone: '0412 555 000',
        companyName: 'New Co',
        timeZone: 'Australia/Perth',
        state: 'WA',
        addressLine1: '1 Hay Street',
        addressCity: 'Perth',
        addressPostalCode: '6000',
      })
      .expect(200);
    expect(res.body.lead).toMatchObject({
      email: 'jo@fixed.example',
      phone: '+61412555000',
      companyName: 'New Co',
      timeZone: 'Australia/Perth',
      // State and country came from the lead's own fields.
      addressLine1: '1 Hay Street',
      addressCity: 'Perth',
      addressState: 'WA',
      addressPostalCode: '6000',
      addressCountry: 'AU',
      addressSource: 'manual',
    });
    expect(res.body.changed).toEqual(expect.arrayContaining(['email', 'phone', 'companyName', 'timeZone', 'addressLine1']));
    const audit = await stack.db.auditLog.findFirstOrThrow({ where: { entityId: lead.id, action: 'lead.update' } });
    expect(audit.before).toMatchObject({ email: 'fix-me@typo.example', timeZone: 'Australia/Sydney' });

    // null clears; clearing the address clears all of it.
    const cleared = await request(stack.app)
      .patch(`${base()}/${lead.id}`)
      .set(auth)
      .send({ companyName: null, addressLine1: null, addressCity: null, addressPostalCode: null })
      .expect(200);
    expect(cleared.body.lead).toMatchObject({ companyName: null, addressLine1: null, addressState: null, addressCountry: null, addressSource: null });
  });

  it('refuses bad corrections with the field and changes nothing', async () => {
    const lead = await createdLead({ email: 'keep@same.example', country: 'AU' });
    const before = await stack.db.lead.findUniqueOrThrow({ where: { id: lead.id } });
    const bad = async (body: object, field: string, status = 400) => {
      const res = await request(stack.app).patch(`${base()}/${lead.id}`).set(auth).send(body).expect(status);
      if (status === 400) expect(res.body.error.details.map((d: { path: string[] }) => d.path.join('.'))).toContain(field);
      return res;
    };
    await bad({}, '');
    await bad({ timeZone: 'Mars/Olympus' }, 'timeZone');
    await bad({ unknownField: 1 }, '');
    await bad({ phone: '12' }, 'phone');
    await bad({ email: null }, 'email'); // no way left to reach the lead
    // Per country: an AU postcode has four digits and needs a state; a UK one has its own format.
    await bad({ addressLine1: '1 George St', addressCity: 'Sydney', addressState: 'NSW', addressPostalCode: '20000' }, 'addressPostalCode');
    await bad({ addressLine1: '1 George St', addressCity: 'Sydney', addressState: 'Kent', addressPostalCode: '2000' }, 'addressState');
    await bad({ addressLine1: '10 Downing Street', addressCity: 'London', addressPostalCode: '12345', addressCountry: 'GB' }, 'addressPostalCode');
    await bad({ addressLine1: '1 Main St', addressCity: 'Austin', addressPostalCode: '78701', addressCountry: 'US' }, 'addressState');
    await bad({ addressCity: 'Sydney', addressPostalCode: '2000' }, 'addressLine1');
    // Another lead's email: 409; a suppressed one: 422.
    await createdLead({ email: 'taken@same.example' });
    const dup = await bad({ email: 'TAKEN@same.example' }, '', 409);
    expect(dup.body.error.code).toBe('DUPLICATE_LEAD');
    await suppress(stack.db, { clientId, kind: 'email', value: 'blocked@same.example', reason: 'unsubscribe' });
    await bad({ email: 'blocked@same.example' }, '', 422);
    expect(await stack.db.lead.findUniqueOrThrow({ where: { id: lead.id } })).toEqual(before);

    // Valid foreign addresses pass, normalized.
    const gb = await request(stack.app)
      .patch(`${base()}/${lead.id}`)
      .set(auth)
      .send({ addressLine1: '10 Downing Street', addressCity: 'London', addressPostalCode: 'sw1a 2aa', addressCountry: 'United Kingdom' })
      .expect(200);
    expect(gb.body.lead).toMatchObject({ addressPostalCode: 'SW1A 2AA', addressCountry: 'GB' });
  });

  it("is a 404 for a deleted lead and for another client's lead, and a 403 for a viewer", async () => {
    const lead = await createdLead({ email: 'gone@later.example' });
    const viewer = await addUser(stack.db, clientId, 'viewer');
    await request(stack.app).patch(`${base()}/${lead.id}`).set(viewer.auth).send({ title: 'CEO' }).expect(403);
    const other = await createClientWithUser(stack.db);
    await request(stack.app).patch(`/api/v1/clients/${other.client.id}/leads/${lead.id}`).set(other.auth).send({ title: 'CEO' }).expect(404);
    await request(stack.app).delete(`${base()}/${lead.id}`).set(auth).expect(204);
    await request(stack.app).patch(`${base()}/${lead.id}`).set(auth).send({ title: 'CEO' }).expect(404);
  });
});

describe('postal addresses on import', () => {
  it('reads address columns from CSV, defaulting city, state and country to the lead’s, and reports bad ones by column', async () => {
    const csv = [
      'Email,First Name,Street,City,State,Postcode,Country',
      'mail1@csv.example,Ana,Level 2 10 Market St,Melbourne,Victoria,3000,AU',
      'mail2@csv.example,Bo,5 Queen St,Brisbane,QLD,40000,AU',
      'mail3@csv.example,Cy,,,,,NZ',
    ].join('\n');
    const res = await request(stack.app).post(`${base()}/bulk?partial=true`).set(auth).set('Content-Type', 'text/csv').send(csv).expect(201);
    expect(res.body.imported).toBe(2);
    expect(res.body.errors).toEqual([{ row: 2, line: 3, field: 'addressPostalCode', column: 'Postcode', message: 'must be a postcode of AU' }]);
    const ana = await stack.db.lead.findFirstOrThrow({ where: { clientId, email: 'mail1@csv.example' } });
    expect(ana).toMatchObject({
      addressLine1: 'Level 2 10 Market St',
      addressCity: 'Melbourne',
      addressState: 'VIC',
      addressPostalCode: '3000',
      addressCountry: 'AU',
      addressSource: 'import',
    });
    // No address columns filled: no address.
    expect(await stack.db.lead.findFirstOrThrow({ where: { clientId, email: 'mail3@csv.example' } })).toMatchObject({
      addressLine1: null,
      addressCountry: null,
    });
  });

  it('takes address fields in JSON, all or nothing', async () => {
    const rows = [
      {
        email: 'j1@addr.example',
        addressLine1: '350 Fifth Avenue',
        addressCity: 'New York',
        addressState: 'New York',
        addressPostalCode: '10118',
        addressCountry: 'US',
      },
      { email: 'j2@addr.example', addressLine1: 'Unter den Linden 1', addressCity: 'Berlin', addressPostalCode: '1011', addressCountry: 'DE' },
    ];
    const bad = await request(stack.app).post(`${base()}/bulk`).set(auth).send({ leads: rows }).expect(400);
    expect(bad.body.error.details.errors).toEqual([{ row: 2, field: 'addressPostalCode', message: 'must be a postcode of DE' }]);
    expect(await stack.db.lead.count({ where: { clientId, email: { endsWith: '@addr.example' } } })).toBe(0);
    rows[1].addressPostalCode = '10117';
    await request(stack.app).post(`${base()}/bulk`).set(auth).send({ leads: rows }).expect(201);
    expect(await stack.db.lead.findFirstOrThrow({ where: { clientId, email: 'j1@addr.example' } })).toMatchObject({
      addressState: 'NY',
      addressPostalCode: '10118',
    });
  });
});

describe('re-enrichment and ICP edits', () => {
  it('POST …/enrich looks the lead up again past the cache, takes the company address, and re-scores', async () => {
    apollo.people.push(
      apolloPerson({
        email: 'ana@acme.example',
        firstName: 'Ana',
        lastName: 'Ruiz',
        title: 'Founder',
        org: { name: 'Acme', domain: 'acme.example', industry: 'Software', employees: 20, streetAddress: '10 Market Street', postalCode: '2000' },
      }),
    );
    const lead = await createdLead({ email: 'ana@acme.example', firstName: 'Ana', lastName: 'Ruiz' });
    expect(lookups('ana@acme.example')).toBe(1);
    expect(lead).toMatchObject({
      addressLine1: '10 Market Street',
      addressCity: 'Sydney',
      addressState: 'NSW',
      addressPostalCode: '2000',
      addressCountry: 'AU',
      addressSource: 'enrichment',
    });
    expect(lead.scoredAt).not.toBeNull();

    // Apollo learns something new; an enrichment that read the cache would never see it.
    const person = apollo.people.find((p) => p.email === 'ana@acme.example')!;
    person.seniority = 'founder';
    person.title = 'Founder & CEO';
    const res = await request(stack.app).post(`${base()}/${lead.id}/enrich`).set(auth).send({}).expect(202);
    const progress = await stack.temporal.workflow.getHandle(res.body.enrichment.workflowId).result();
    expect(progress).toMatchObject({ enriched: 1, scored: 1, failed: 0 });
    expect(lookups('ana@acme.example')).toBe(2);
    const after = await stack.db.lead.findUniqueOrThrow({ where: { id: lead.id } });
    expect((after.enrichment as { person: { title: string } }).person.title).toBe('Founder & CEO');
    expect(after.enrichedAt!.getTime()).toBeGreaterThan(lead.enrichedAt!.getTime());
    expect(after.scoredAt!.getTime()).toBeGreaterThan(lead.scoredAt!.getTime());
    // A corrected address is the lead's own: enrichment never overwrites it.
    expect(after.addressSource).toBe('enrichment');
    expect(await stack.db.auditLog.count({ where: { entityId: lead.id, action: 'lead.enrich' } })).toBe(1);

    // Closed leads are not enriched again.
    await stack.db.lead.update({ where: { id: lead.id }, data: { status: 'unsubscribed' } });
    expect((await request(stack.app).post(`${base()}/${lead.id}/enrich`).set(auth).send({}).expect(409)).body.error.code).toBe('LEAD_CLOSED');
    await stack.db.lead.update({ where: { id: lead.id }, data: { status: 'scored' } });
    await request(stack.app).post(`${base()}/${lead.id}/enrich`).set(auth).send({ force: true }).expect(400);
  });

  it('PUT …/icp edits the ICP (admin only) and re-scores the enriched leads', async () => {
    const lead = await stack.db.lead.findFirstOrThrow({ where: { clientId, email: 'ana@acme.example' } });
    const member = await addUser(stack.db, clientId, 'member');
    const icp = { industries: ['Hospitality'], companySizes: ['500+'], titles: ['Head of Facilities'], locations: ['NZ'] };
    await request(stack.app).put(`/api/v1/clients/${clientId}/icp`).set(member.auth).send(icp).expect(403);
    await request(stack.app)
      .put(`/api/v1/clients/${clientId}/icp`)
      .set(auth)
      .send({ ...icp, industries: [] })
      .expect(400);
    await request(stack.app)
      .put(`/api/v1/clients/${clientId}/icp`)
      .set(auth)
      .send({ ...icp, companySizes: ['lots'] })
      .expect(400);
    await request(stack.app)
      .put(`/api/v1/clients/${clientId}/icp`)
      .set(auth)
      .send({ ...icp, alsWeights: { companyFit: 9 } })
      .expect(400);

    const res = await request(stack.app)
      .put(`/api/v1/clients/${clientId}/icp`)
      .set(auth)
      .send({ ...icp, alsWeights: { companyFit: 2 } })
      .expect(200);
    expect(res.body.icp).toMatchObject({ ...icp, alsWeights: { companyFit: 2, timing: 1 } });
    expect(res.body.rescore.leads).toBeGreaterThanOrEqual(1);
    const client = await stack.db.client.findUniqueOrThrow({ where: { id: clientId } });
    expect(client).toMatchObject({ icpIndustries: ['Hospitality'], icpLocations: ['NZ'] });
    for (const id of res.body.rescore.workflowIds) await stack.temporal.workflow.getHandle(id).result();
    // A Sydney software founder no longer fits: the company-fit points are gone.
    const after = await stack.db.lead.findUniqueOrThrow({ where: { id: lead.id } });
    expect(after.alsCompanyFit!).toBeLessThan(lead.alsCompanyFit!);
    expect(after.alsScore!).toBeLessThan(lead.alsScore!);
    expect(await stack.db.auditLog.count({ where: { entityId: clientId, action: 'icp.updated' } })).toBe(1);
    // No new provider lookups for a re-score.
    expect(lookups('ana@acme.example')).toBe(2);
    // The GET shows it.
    const shown = await request(stack.app).get(`/api/v1/clients/${clientId}/icp`).set(auth).expect(200);
    expect(shown.body).toMatchObject({ confirmed: true, industries: ['Hospitality'] });
  });
});
