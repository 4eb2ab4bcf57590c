// Which Claude model does what, and what it costs. Prices are USD per million tokens (input, output)
// from Anthropic's published list; ANTHROPIC_PRICES overrides or adds entries without a release.
// A model missing from the table is charged at the most expensive known rate, so an unknown model
// can only make the spend limiter stricter, never let spend slip past it.

export type ModelTier = 'generation' | 'fast';

export interface ModelPrice {
  inputPerMTok: number;
  outputPerMTok: number;
}

export interface ModelSettings {
  /** Long-form generation: ICP derivation, messaging, sequence design. */
  generation: string;
  /** Classification and disambiguation: page kinds, industries, company size. */
  fast: string;
}

export const PRICE_TABLE: Readonly<Record<string, ModelPrice>> = {
  'claude-opus-5-5': { inputPerMTok: 4, outputPerMTok: 20 },
  'claude-opus-5': { inputPerMTok: 5, outputPerMTok: 25 },
  'claude-opus-4-8': { inputPerMTok: 5, outputPerMTok: 25 },
  'claude-opus-4-7': { inputPerMTok: 5, outputPerMTok: 25 },
  'claude-opus-4-6': { inputPerMTok: 5, outputPerMTok: 25 },
  'claude-opus-4-5': { inputPerMTok: 5, outputPerMTok: 25 },
  'claude-sonnet-5-5': { inputPerMTok: 2, outputPerMTok: 10 },
  'claude-sonnet-5': { inputPerMTok: 2, outputPerMTok: 10 },
  'claude-sonnet-4-6': { inputPerMTok: 3, outputPerMTok: 15 },
  'claude-sonnet-4-5': { inputPerMTok: 3, outputPerMTok: 15 },
  'claude-haiku-4-5': { inputPerMTok: 1, outputPerMTok: 5 },
};

/** Dated snapshots (`claude-haiku-4-5-20251001`) cost what their alias costs. */
const SNAPSHOT_SUFFIX = /-\d{8}$/;

export class PriceTable {
  private readonly prices: Map<string, ModelPrice>;
  private readonly ceiling: ModelPrice;

  constructor(overrides: Record<string, ModelPrice> = {}) {
    this.prices = new Map(Object.entries({ ...PRICE_TABLE, ...overrides }));
    const all = [...this.prices.values()];
    this.ceiling = {
      inputPerMTok: Math.max(...all.map((p) => p.inputPerMTok)),
      outputPerMTok: Math.max(...all.map((p) => p.outputPerMTok)),
    };
  }

  /** The price of a model, and whether it was known (false: the ceiling rate was used). */
  priceOf(model: string): { price: ModelPrice; known: boolean } {
    const price = this.prices.get(model) ?? this.prices.get(model.replace(SNAPSHOT_SUFFIX, ''));
    return price ? { price, known: true } : { price: this.ceiling, known: false };
  }

  /** USD for one call, rounded to the micro-dollar (the ai_usage column's precision). */
  costUsd(model: string, inputTokens: number, outputTokens: number): number {
    const { price } = this.priceOf(model);
    const usd = (inputTokens * price.inputPerMTok + outputTokens * price.outputPerMTok) / 1_000_000;
    return Math.round(usd * 1_000_000) / 1_000_000;
  }
}

/** Parses ANTHROPIC_PRICES (`{"model":[input,output]}`, already shape-checked by config). */
export function parsePriceOverrides(json: string | undefined): Record<string, ModelPrice> {
  if (!json) return {};
  const raw = JSON.parse(json) as Record<string, [number, number]>;
  return Object.fromEntries(Object.entries(raw).map(([m, [i, o]]) => [m, { inputPerMTok: i, outputPerMTok: o }]));
}
