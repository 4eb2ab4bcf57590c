// A dedicated PostgreSQL connection that LISTENs on one channel and hands each NOTIFY payload to a
// callback, reconnecting when the connection drops. Notifications sent while it was not listening
// are lost (PostgreSQL does not queue them for absent listeners), so `onListening` runs after every
// (re)connect: the caller reads back whatever it may have missed from its table.
import { Client as PgClient } from 'pg';
import type { Logger } from '../logger';

export interface ListenOptions {
  databaseUrl: string;
  channel: string;
  onNotification: (payload: string) => void;
  /** After each successful LISTEN (the first and every reconnect). */
  onListening?: () => void;
  logger: Logger;
  /** Delay before reconnecting after a lost connection or a failed connect (default 1 s). */
  retryMs?: number;
}

export interface Listener {
  stop(): Promise<void>;
}

export function listenForNotifications(opts: ListenOptions): Listener {
  const retryMs = opts.retryMs ?? 1000;
  let stopped = false;
  let current: PgClient | null = null;
  let retry: NodeJS.Timeout | null = null;

  const later = () => {
    if (stopped || retry) return;
    retry = setTimeout(() => {
      retry = null;
      void connect();
    }, retryMs);
    retry.unref();
  };

  const connect = async () => {
    if (stopped) return;
    const c = new PgClient({ connectionString: opts.databaseUrl });
    c.on('notification', (n) => opts.onNotification(n.payload ?? ''));
    c.on('error', (err) => {
      opts.logger.warn({ channel: opts.channel, err: err.message }, 'listen connection lost; reconnecting');
      if (current === c) current = null;
      c.end().catch(() => undefined);
      later();
    });
    try {
      await c.connect();
      // The channel is a constant of ours, never input: quoted as an identifier all the same.
      await c.query(`LISTEN "${opts.channel.replace(/"/g, '""')}"`);
      if (stopped) {
        await c.end();
        return;
      }
      current = c;
      opts.onListening?.();
    } catch (err) {
      opts.logger.warn({ channel: opts.channel, err: err instanceof Error ? err.message : String(err) }, 'could not listen; retrying');
      await c.end().catch(() => undefined);
      later();
    }
  };

  void connect();
  return {
    stop: async () => {
      stopped = true;
      if (retry) clearTimeout(retry);
      const c = current;
      current = null;
      await c?.end().catch(() => undefined);
    },
  };
}
