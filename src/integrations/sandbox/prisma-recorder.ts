// The sandbox outbox in PostgreSQL (`sandbox_outbox`). Rows are keyed by the provider message id,
// which SandboxChannelProvider derives from the idempotency key: recording a key twice keeps one
// row, and finding a key is a unique-index lookup.
import { Prisma, type Db } from '../../db/client';
import type { SandboxRecord, SandboxRecorder } from '../channels';
import { sandboxMessageId } from './sandbox-provider';

export class PrismaSandboxRecorder implements SandboxRecorder {
  constructor(private readonly db: Db) {}

  async record(r: SandboxRecord): Promise<void> {
    const payload = { ...r.payload, idempotencyKey: r.idempotencyKey } as Prisma.InputJsonObject;
    try {
      await this.db.sandboxMessage.upsert({
        where: { providerMessageId: r.providerMessageId },
        create: {
          clientId: r.clientId,
          channel: r.channel,
          provider: r.provider,
          recipient: r.recipient,
          providerMessageId: r.providerMessageId,
          payload,
        },
        // The first recording of a key stands, as a provider keeps the first accepted message.
        update: {},
      });
    } catch (err) {
      // Two concurrent first recordings of one key: the other one won, which is the same outcome.
      if (err instanceof Prisma.PrismaClientKnownRequestError && err.code === 'P2002') return;
      throw err;
    }
  }

  async find(idempotencyKey: string, clientId: string): Promise<SandboxRecord | null> {
    const row = await this.db.sandboxMessage.findUnique({
      where: { providerMessageId: sandboxMessageId(idempotencyKey) },
    });
    if (!row || row.clientId !== clientId) return null;
    const payload = (row.payload ?? {}) as Record<string, unknown>;
    if (payload.idempotencyKey !== idempotencyKey) return null;
    return {
      clientId: row.clientId,
      channel: row.channel,
      provider: row.provider,
      recipient: row.recipient,
      providerMessageId: row.providerMessageId,
      idempotencyKey,
      payload,
    };
  }
}
