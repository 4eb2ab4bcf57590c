// Claude: the client (official SDK, base URL configurable) and the model/price table.
// No ANTHROPIC_API_KEY means no client: callers use their deterministic offline implementations.
import type { Config } from '../../config';
import { createClaudeClient, type ClaudeClient } from './client';
import { parsePriceOverrides, PriceTable } from './models';

export * from './client';
export * from './models';

export interface ClaudeSetup {
  /** Null when no API key is configured (offline mode). */
  client: ClaudeClient | null;
  prices: PriceTable;
}

type ClaudeConfig = Pick<Config, 'ANTHROPIC_API_KEY' | 'ANTHROPIC_BASE_URL' | 'ANTHROPIC_MODEL_GENERATION' | 'ANTHROPIC_MODEL_FAST' | 'ANTHROPIC_PRICES'>;

export function claudeFromConfig(config: ClaudeConfig): ClaudeSetup {
  const prices = new PriceTable(parsePriceOverrides(config.ANTHROPIC_PRICES));
  const models = { generation: config.ANTHROPIC_MODEL_GENERATION, fast: config.ANTHROPIC_MODEL_FAST };
  const client = config.ANTHROPIC_API_KEY ? createClaudeClient({ apiKey: config.ANTHROPIC_API_KEY, baseURL: config.ANTHROPIC_BASE_URL, models }) : null;
  return { client, prices };
}
