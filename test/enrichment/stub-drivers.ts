// In-process enrichment drivers for engine tests: each answers from a function of the lookup and
// logs when calls start and end (into a log shared by all three), so tests can assert on order.
import type { EnrichmentDrivers, EnrichmentProvider, EnrichmentSource, LookupInput, ProviderResult } from '../../src/integrations/enrichment';
import type { ScoutLead } from '../../src/engines/scout';

export type Answer = Omit<ProviderResult, 'source'> | Error;

export class StubProvider implements EnrichmentProvider {
  readonly sandbox = false;
  readonly calls: LookupInput[] = [];
  constructor(
    readonly source: EnrichmentSource,
    private readonly answer: (input: LookupInput) => Answer | Promise<Answer>,
    private readonly log: string[],
  ) {}

  async lookup(input: LookupInput): Promise<ProviderResult> {
    this.calls.push(input);
    this.log.push(`start ${this.source} ${input.ref}`);
    // Let the other provider of the same lead start, so parallel calls interleave visibly.
    await new Promise((r) => setImmediate(r));
    const a = await this.answer(input);
    this.log.push(`end ${this.source} ${input.ref}`);
    if (a instanceof Error) throw a;
    return { source: this.source, ...a };
  }
}

export function stubDrivers(answers: Partial<Record<EnrichmentSource, (input: LookupInput) => Answer | Promise<Answer>>>) {
  const log: string[] = [];
  const none = () => ({ found: false });
  const drivers = {
    apollo: new StubProvider('apollo', answers.apollo ?? none, log),
    apify: new StubProvider('apify', answers.apify ?? none, log),
    clay: new StubProvider('clay', answers.clay ?? none, log),
  } satisfies EnrichmentDrivers;
  return { drivers, log };
}

let n = 0;
export function scoutLead(over: Partial<ScoutLead> = {}): ScoutLead {
  n++;
  return {
    id: over.id ?? `lead-${n}`,
    email: null,
    firstName: null,
    lastName: null,
    title: null,
    phone: null,
    linkedinUrl: null,
    companyName: null,
    companyDomain: null,
    companyIndustry: null,
    companySize: null,
    country: null,
    state: null,
    city: null,
    timeZone: null,
    ...over,
  };
}
