// Australia's Do Not Call Register wash. The real driver posts numbers to a wash service (base URL
// and key from config; request/response shape: {numbers:[…]} → {results:[{number, registered}]},
// which is how the project's wash gateway is expected to answer); the sandbox driver treats every
// number as not registered except those listed in DNCR_SANDBOX_REGISTERED.

export interface DncrDriver {
  readonly sandbox: boolean;
  isRegistered(phone: string): Promise<boolean>;
}

export class HttpDncrDriver implements DncrDriver {
  readonly sandbox = false;
  constructor(
    private readonly baseUrl: string,
    private readonly apiKey: string,
  ) {}

  async isRegistered(phone: string): Promise<boolean> {
    const res = await fetch(new URL('/wash', this.baseUrl), {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${this.apiKey}` },
      body: JSON.stringify({ numbers: [phone] }),
      signal: AbortSignal.timeout(10_000),
    });
    if (!res.ok) throw new Error(`DNCR wash failed with HTTP ${res.status}`);
    const body = (await res.json()) as { results?: { number: string; registered: boolean }[] };
    const hit = body.results?.find((r) => r.number === phone);
    if (!hit) throw new Error('DNCR wash answered without this number');
    return hit.registered;
  }
}

export class SandboxDncrDriver implements DncrDriver {
  readonly sandbox = true;
  private readonly registered: Set<string>;
  constructor(registered: string[] = []) {
    this.registered = new Set(registered);
  }
  async isRegistered(phone: string): Promise<boolean> {
    return this.registered.has(phone);
  }
}
