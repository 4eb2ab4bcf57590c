// One touch, one slot: two attempts of the same send running at once (a retry started while the
// first attempt still runs) take one daily slot between them, and only one of them owns the send.
import { randomUUID } from 'node:crypto';
import { createTestDatabase, type TestDatabase } from '../harness/database';
import { createClientWithUser, createLead } from '../harness/fixtures';
import { claimSendSlot, reserveSend, sendKey } from '../../src/engines/send-ledger';

let database: TestDatabase;
let clientId: string;
let leadId: string;
const DAY = '2026-07-06';
const ROUNDS = 60;
const ATTEMPTS = 3;

beforeAll(async () => {
  database = await createTestDatabase();
  const { client } = await createClientWithUser(database.db);
  clientId = client.id;
  leadId = (await createLead(database.db, client.id)).id;
});
afterAll(async () => {
  await database?.drop();
});

async function race(prepare: (key: ReturnType<typeof keyFor>) => Promise<void>) {
  const db = database.db;
  const resource = await db.sendResource.create({ data: { clientId, channel: 'email', identifier: `race-${randomUUID()}.example`, dailyLimit: 10_000 } });
  const slot = { resourceId: resource.id, day: DAY, limit: resource.dailyLimit };
  const owners: number[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    const key = keyFor();
    await prepare(key);
    const both = await Promise.all(Array.from({ length: ATTEMPTS }, () => claimSendSlot(db, key, slot, { countAttempt: true, now: new Date(), price: 1 })));
    owners.push(both.filter((b) => b.took).length);
    const row = await db.sendLedger.findUniqueOrThrow({ where: { idempotencyKey: key.idempotencyKey } });
    expect(row).toMatchObject({ state: 'sending', resourceId: resource.id });
  }
  const counter = await db.sendResourceCounter.findFirstOrThrow({ where: { resourceId: resource.id } });
  return { owners, slots: counter.count };
}

function keyFor() {
  return {
    idempotencyKey: sendKey(`sequence:${randomUUID()}:${leadId}`, 1),
    clientId,
    campaignId: randomUUID(),
    leadId,
    channel: 'email' as const,
    touchNumber: 1,
  };
}

it('three first attempts at once: one slot per send, one owner', async () => {
  const { owners, slots } = await race(async () => {});
  expect(slots).toBe(ROUNDS);
  expect(owners.every((n) => n === 1)).toBe(true);
});

it('three retries at once of a send that waited for room: one slot per send, one owner', async () => {
  const { owners, slots } = await race(async (key) => {
    await reserveSend(database.db, key); // reserved, no slot yet (an earlier attempt found the day full)
  });
  expect(slots).toBe(ROUNDS);
  expect(owners.every((n) => n === 1)).toBe(true);
});
