// A strict reader of Prometheus's text exposition format (0.0.4) for tests: every line must be a
// comment (# HELP / # TYPE), blank, or `name{label="value",…} number`; samples are keyed by name
// and sorted labels so tests can compare two scrapes.
const SAMPLE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)(?:\s+-?\d+)?$/;
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g;

export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

export function parsePrometheus(text: string): Sample[] {
  const out: Sample[] = [];
  for (const line of text.split('\n')) {
    if (line.trim() === '' || line.startsWith('#')) {
      if (line.startsWith('# TYPE ') && !/^# TYPE \S+ (counter|gauge|histogram|summary|untyped)$/.test(line)) throw new Error(`bad TYPE line: ${line}`);
      continue;
    }
    const m = SAMPLE.exec(line);
    if (!m) throw new Error(`not a Prometheus sample line: ${line}`);
    const labels: Record<string, string> = {};
    const rest = (m[2] ?? '').replace(LABEL, (_, k: string, v: string) => {
      labels[k] = v;
      return '';
    });
    if (rest.replace(/,/g, '').trim() !== '') throw new Error(`bad labels in: ${line}`);
    // Go's ParseFloat, as Prometheus reads values: Inf and NaN in any case (prom-client writes `Nan`).
    const value = /^\+?inf$/i.test(m[3]) ? Infinity : /^-inf$/i.test(m[3]) ? -Infinity : Number(m[3]);
    if (Number.isNaN(value) && !/^nan$/i.test(m[3])) throw new Error(`bad value in: ${line}`);
    out.push({ name: m[1], labels, value });
  }
  return out;
}

/** The sum of the samples named `name` whose labels include `where`. */
export function total(samples: Sample[], name: string, where: Record<string, string> = {}): number {
  return samples.filter((s) => s.name === name && Object.entries(where).every(([k, v]) => s.labels[k] === v)).reduce((n, s) => n + s.value, 0);
}

export function has(samples: Sample[], name: string): boolean {
  return samples.some((s) => s.name === name);
}
