// npm run bench:10k [-- --leads 10000 --workers 1 --latency-ms 0]
// 10,000 leads through the API on one machine, measured from outside: one ROLE=api and one
// ROLE=worker process of the compiled service on PostgreSQL and a Temporal dev server running as
// their own processes (bench/scale-stack.ts), the Postmark fake in this process. Phases:
//   import       POST /leads/bulk with every lead (JSON), until it answers
//   scoring      the import's enrichment + scoring workflow, until it completes
//   enrolment    POST /campaigns/:id/leads with every lead id, until it answers
//   first touch  from POST /campaigns/:id/start until every lead's first email is at the provider
// and, for the first touches, where the time goes: sequences started (enrolments leaving
// `pending`) against first touches sent, every 10 s, and the CPU seconds each process used.
// Prints the peak RSS (VmHWM) of the api and worker processes. Exit code 0 = every first touch sent
// once. Not part of `npm test` (it takes minutes).
import { parseArgs } from 'node:util';
import { firstTouchProgress, importScoreEnrollStart, mib, sendsPerAddress, sleep, startScaleStack } from './scale-stack';

const { values: args } = parseArgs({
  options: {
    leads: { type: 'string', default: '10000' },
    workers: { type: 'string', default: '1' },
    'latency-ms': { type: 'string', default: '0' },
    'timeout-minutes': { type: 'string', default: '30' },
  },
});
const LEADS = Number(args.leads);

const started = Date.now();
const log = (msg: string) => console.log(`[${((Date.now() - started) / 1000).toFixed(0).padStart(4)} s] ${msg}`);

const diff = (a: Record<string, number>, b: Record<string, number>) => Object.fromEntries(Object.entries(a).map(([k, v]) => [k, v - (b[k] ?? 0)]));
const fmtCpu = (c: Record<string, number>) =>
  Object.entries(c)
    .map(([k, v]) => `${k} ${v.toFixed(0)}`)
    .join(', ');

async function main(): Promise<void> {
  const s = await startScaleStack({ workers: Number(args.workers), name: 'scale-10k', log });
  let ok: boolean;
  try {
    s.postmark.setLatency(Number(args['latency-ms']));
    const cpu0 = s.cpu();
    const run = await importScoreEnrollStart(s, LEADS, log);
    const cpuStart = s.cpu();
    const expected = run.expected.size;
    const deadline = Date.now() + Number(args['timeout-minutes']) * 60_000;
    let allStartedAt: number | null = null;
    let lastLine = 0;
    let progress = await firstTouchProgress(s, run.campaignId);
    const samples: { t: number; started: number; sent: number }[] = [];
    while (progress.provider < expected && Date.now() < deadline) {
      const t = (Date.now() - run.startedAt) / 1000;
      if (allStartedAt === null && progress.sequencesStarted >= LEADS) allStartedAt = Date.now();
      if (Date.now() - lastLine >= 10_000) {
        lastLine = Date.now();
        const prev = samples[samples.length - 1];
        samples.push({ t, started: progress.sequencesStarted, sent: progress.provider });
        const rate = prev ? ((progress.provider - prev.sent) / (t - prev.t)).toFixed(1) : '-';
        const startRate = prev ? ((progress.sequencesStarted - prev.started) / (t - prev.t)).toFixed(1) : '-';
        log(
          `t+${t.toFixed(0)} s: sequences started ${progress.sequencesStarted} (${startRate}/s), first touches at the provider ${progress.provider} (${rate}/s)`,
        );
      }
      await sleep(250);
      progress = await firstTouchProgress(s, run.campaignId);
    }
    const allSentAt = progress.provider >= expected ? Date.now() : null;
    if (allStartedAt === null && progress.sequencesStarted >= LEADS) allStartedAt = Date.now();
    const cpuEnd = s.cpu();
    await sleep(5_000); // a moment for a late duplicate
    const perAddress = sendsPerAddress(s.postmark);
    let duplicates = 0;
    let missing = 0;
    for (const addr of run.expected) {
      const n = perAddress.get(addr) ?? 0;
      if (n === 0) missing++;
      duplicates += Math.max(0, n - 1);
    }
    const firstS = ((allSentAt ?? Date.now()) - run.startedAt) / 1000;
    const startS = allStartedAt ? (allStartedAt - run.startedAt) / 1000 : null;

    console.log('');
    console.log(
      `service: ${s.runtime}, 1 api + ${args.workers} worker; PostgreSQL (embedded) and Temporal dev server as separate processes; Postmark fake latency ${args['latency-ms']} ms; ${LEADS} leads (tiers ${JSON.stringify(run.tiers)})`,
    );
    console.log(`import        ${run.importS.toFixed(1)} s`);
    console.log(`scoring       ${run.scoringS.toFixed(1)} s`);
    console.log(`enrolment     ${run.enrollS.toFixed(1)} s (the add-leads request)`);
    console.log(
      `sequences     all ${LEADS} started ${startS === null ? 'NOT within the time' : `${startS.toFixed(1)} s after start (${(LEADS / startS).toFixed(1)}/s)`}`,
    );
    console.log(
      `first touches ${allSentAt ? `${firstS.toFixed(1)} s, ${(expected / firstS).toFixed(1)} per second` : `NOT all sent within ${args['timeout-minutes']} min (${progress.provider}/${expected})`}`,
    );
    console.log(`duplicates ${duplicates}, missing ${missing}`);
    console.log(
      `peak RSS      ${[s.api, ...s.workers].map((r) => `${r.name} ${mib(r.peakRssMiB)}`).join(', ')}; service total ${mib([s.api, ...s.workers].reduce((n, r) => n + r.peakRssMiB, 0))}`,
    );
    console.log(`CPU s, import+scoring+enrolment: ${fmtCpu(diff(cpuStart, cpu0))}`);
    console.log(`CPU s, first touches:            ${fmtCpu(diff(cpuEnd, cpuStart))} (of ${(firstS * 2).toFixed(0)} core-seconds on 2 cores)`);
    console.log(
      `bench-10k: leads=${LEADS} import_s=${run.importS.toFixed(1)} scoring_s=${run.scoringS.toFixed(1)} enrol_s=${run.enrollS.toFixed(1)} sequences_started_s=${startS?.toFixed(1) ?? 'NA'} ` +
        `first_touch_s=${firstS.toFixed(1)} per_s=${(Math.min(progress.provider, expected) / firstS).toFixed(1)} api_rss_mib=${s.api.peakRssMiB.toFixed(0)} worker_rss_mib=${s.workers.map((w) => w.peakRssMiB.toFixed(0)).join('+')} duplicates=${duplicates} missing=${missing}`,
    );
    ok = allSentAt !== null && duplicates === 0 && missing === 0;
    console.log(ok ? 'PASS' : 'FAIL');
  } finally {
    await s.stop();
  }
  process.exit(ok ? 0 : 1);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
