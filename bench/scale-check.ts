// npm run scale-check [-- --leads 300 --latency-ms 300 --kill-at 0.4]
// Scale-out, proven from outside: one ROLE=api and two ROLE=worker processes of the compiled
// service against PostgreSQL and a Temporal dev server running as their own processes (see
// bench/scale-stack.ts). Through the API: bulk import of N leads, their scoring, a two-email
// campaign with all of them, start. When a fraction of the first touches has reached the Postmark
// fake, worker-2 is SIGKILLed at a moment when sends are in flight (a ledger row reserved or
// sending; waits up to 10 s for one); worker-1 must finish alone. Then:
//   split       activities each worker executed (by worker identity, from the workflow histories:
//               ActivityTaskCompleted events), before and after the kill, by activity type, and
//               how many of them completed on a retry
//   duplicates  emails beyond the first per lead at the provider (must be 0)
//   missing     leads whose tier allows email with no email (must be 0); leads whose tier does not
//               allow email must get none
// Exit code 0 = PASS: no duplicate, none missing, every workflow of the client healthy, and each
// worker executed activities before the kill. Every process started here is stopped, also on failure.
import { parseArgs } from 'node:util';
import type { temporal as proto } from '@temporalio/proto';
import { firstTouchProgress, importScoreEnrollStart, mib, sendsPerAddress, sleep, startScaleStack, type ScaleStack } from './scale-stack';

const { values: args } = parseArgs({
  options: {
    leads: { type: 'string', default: '300' },
    'latency-ms': { type: 'string', default: '300' },
    /** Fraction of the expected first touches sent when worker-2 is killed. */
    'kill-at': { type: 'string', default: '0.4' },
    'timeout-minutes': { type: 'string', default: '10' },
  },
});
const LEADS = Number(args.leads);
const KILL_AT = Number(args['kill-at']);

const started = Date.now();
const log = (msg: string) => console.log(`[${((Date.now() - started) / 1000).toFixed(0).padStart(4)} s] ${msg}`);

type Split = Map<string, { before: number; after: number; byType: Map<string, number>; retried: number }>;

/** Activities executed per worker identity, from the histories of every workflow of the client. */
async function activitySplit(s: ScaleStack, killAt: number): Promise<{ split: Split; workflows: number; notHealthy: string[] }> {
  const split: Split = new Map();
  const row = (identity: string) => {
    let r = split.get(identity);
    if (!r) split.set(identity, (r = { before: 0, after: 0, byType: new Map(), retried: 0 }));
    return r;
  };
  let workflows = 0;
  const notHealthy: string[] = [];
  for await (const wf of s.temporal.workflow.list({ query: `ClientId = "${s.clientId}"` })) {
    workflows++;
    if (wf.status.name !== 'RUNNING' && wf.status.name !== 'COMPLETED' && wf.status.name !== 'CONTINUED_AS_NEW')
      notHealthy.push(`${wf.workflowId} ${wf.status.name}`);
    const history = await s.temporal.workflow.getHandle(wf.workflowId, wf.runId).fetchHistory();
    const scheduled = new Map<number, string>();
    const attempt = new Map<number, number>();
    for (const e of history.events ?? []) {
      const attrs = e.activityTaskScheduledEventAttributes;
      if (attrs) scheduled.set(Number(e.eventId), attrs.activityType?.name ?? '?');
      const start = e.activityTaskStartedEventAttributes;
      if (start) attempt.set(Number(start.scheduledEventId), start.attempt ?? 1);
      const done: proto.api.history.v1.IActivityTaskCompletedEventAttributes | null | undefined = e.activityTaskCompletedEventAttributes;
      if (done) {
        const at = Number(e.eventTime?.seconds ?? 0) * 1000 + Math.floor((e.eventTime?.nanos ?? 0) / 1e6);
        const r = row(done.identity ?? '?');
        if (at < killAt) r.before++;
        else r.after++;
        const type = scheduled.get(Number(done.scheduledEventId)) ?? '?';
        r.byType.set(type, (r.byType.get(type) ?? 0) + 1);
        // Retries are not in the history, only the attempt that completed: > 1 means earlier ones failed or timed out.
        if ((attempt.get(Number(done.scheduledEventId)) ?? 1) > 1) r.retried++;
      }
    }
  }
  return { split, workflows, notHealthy };
}

async function main(): Promise<void> {
  const s = await startScaleStack({ workers: 2, name: 'scale-check', log });
  let ok: boolean;
  try {
    s.postmark.setLatency(Number(args['latency-ms']));
    const run = await importScoreEnrollStart(s, LEADS, log);
    const [w1, w2] = s.workers;
    const killWhen = Math.ceil(run.expected.size * KILL_AT);
    const deadline = Date.now() + Number(args['timeout-minutes']) * 60_000;
    while (s.postmark.sent.length < killWhen && Date.now() < deadline) await sleep(50);
    // Aim the kill at a moment with sends in flight (their ledger rows reserved or sending), up to 10 s more.
    const inFlightNow = () => s.db.sendLedger.count({ where: { campaignId: run.campaignId, touchNumber: 1, state: { in: ['reserved', 'sending'] } } });
    let inFlight = await inFlightNow();
    for (let waited = 0; inFlight === 0 && waited < 10_000; waited += 20) {
      await sleep(20);
      inFlight = await inFlightNow();
    }
    const killAt = Date.now();
    w2.proc.kill('SIGKILL');
    const sentAtKill = s.postmark.sent.length;
    log(`SIGKILL ${w2.name} (${w2.identity}) with ${sentAtKill}/${run.expected.size} first touches at the provider, ${inFlight} in flight`);
    await w2.exited;

    let last = -1;
    let progress = await firstTouchProgress(s, run.campaignId);
    while (progress.ledgerSent < run.expected.size && Date.now() < deadline) {
      if (progress.ledgerSent !== last && (Date.now() - started) % 5_000 < 1000)
        log(`${progress.sequencesStarted} sequences started, ${progress.ledgerSent}/${run.expected.size} sent (ledger), ${progress.provider} at the provider`);
      last = progress.ledgerSent;
      await sleep(500);
      progress = await firstTouchProgress(s, run.campaignId);
    }
    const allSentAt = progress.ledgerSent >= run.expected.size ? Date.now() : null;
    await sleep(5_000); // a moment for a late duplicate to arrive
    const cpu = s.cpu();

    const perAddress = sendsPerAddress(s.postmark);
    let duplicates = 0;
    let missing = 0;
    for (const addr of run.expected) {
      const n = perAddress.get(addr) ?? 0;
      if (n === 0) missing++;
      duplicates += Math.max(0, n - 1);
    }
    const unexpected = [...perAddress.keys()].filter((a) => !run.expected.has(a)).length;
    const { split, workflows, notHealthy } = await activitySplit(s, killAt);
    const firstTouchS = ((allSentAt ?? Date.now()) - run.startedAt) / 1000;

    console.log('');
    console.log(`service: ${s.runtime}; PostgreSQL (embedded) and Temporal dev server as separate processes; Postmark fake latency ${args['latency-ms']} ms`);
    console.log(`leads ${LEADS} (email allowed by tier: ${run.expected.size}; tiers ${JSON.stringify(run.tiers)})`);
    console.log(`import ${run.importS.toFixed(1)} s, scoring ${run.scoringS.toFixed(1)} s, enrolment ${run.enrollS.toFixed(1)} s`);
    console.log(
      `first touches: ${allSentAt ? `all sent ${firstTouchS.toFixed(1)} s after start, ${(run.expected.size / firstTouchS).toFixed(1)}/s` : `NOT all sent within ${args['timeout-minutes']} min`}; kill after ${((killAt - run.startedAt) / 1000).toFixed(1)} s at ${sentAtKill} sent, ${inFlight} in flight`,
    );
    console.log('');
    console.log('activities executed (ActivityTaskCompleted by worker identity), by when they completed:');
    console.log(
      `  ${'worker'.padEnd(10)} ${'identity'.padEnd(24)} ${'before kill'.padStart(11)} ${'after kill'.padStart(10)} ${'retried'.padStart(7)}  by type`,
    );
    for (const w of s.workers) {
      const r = split.get(w.identity) ?? { before: 0, after: 0, byType: new Map<string, number>(), retried: 0 };
      const types = [...r.byType]
        .sort()
        .map(([t, n]) => `${t}=${n}`)
        .join(' ');
      console.log(
        `  ${w.name.padEnd(10)} ${w.identity.padEnd(24)} ${String(r.before).padStart(11)} ${String(r.after).padStart(10)} ${String(r.retried).padStart(7)}  ${types}`,
      );
    }
    const others = [...split.keys()].filter((k) => !s.workers.some((w) => w.identity === k));
    for (const k of others) console.log(`  other      ${k.padEnd(24)} ${split.get(k)!.before} ${split.get(k)!.after}`);
    console.log('  retried: completed on attempt 2 or later (an earlier attempt failed or was lost with the killed worker)');
    console.log(
      `  workflows of the client: ${workflows}; not running/completed: ${notHealthy.length}${notHealthy.length ? ` ${notHealthy.slice(0, 5).join(', ')}` : ''}`,
    );
    console.log('');
    console.log(`peak RSS: ${[s.api, ...s.workers].map((r) => `${r.name} ${mib(r.peakRssMiB)}`).join(', ')}`);
    console.log(
      `CPU s: ${Object.entries(cpu)
        .map(([k, v]) => `${k} ${v.toFixed(1)}`)
        .join(', ')}`,
    );
    const b1 = split.get(w1.identity)?.before ?? 0;
    const b2 = split.get(w2.identity)?.before ?? 0;
    // A completion sent just before the kill may be recorded a moment after it.
    const a2 = split.get(w2.identity)?.after ?? 0;
    console.log(
      `scale-check: leads=${LEADS} expected=${run.expected.size} sends=${s.postmark.sent.length} duplicates=${duplicates} missing=${missing} unexpected=${unexpected} ` +
        `first_touch_s=${firstTouchS.toFixed(1)} per_s=${(run.expected.size / firstTouchS).toFixed(1)} w1_before=${b1} w2_before=${b2} w1_after=${split.get(w1.identity)?.after ?? 0} w2_after=${a2}`,
    );
    const problems = [
      ...(allSentAt ? [] : ['not every first touch was sent']),
      ...(duplicates ? [`${duplicates} duplicates`] : []),
      ...(missing ? [`${missing} missing`] : []),
      ...(unexpected ? [`${unexpected} emails to leads whose tier allows none`] : []),
      ...(notHealthy.length ? [`${notHealthy.length} workflows failed or were terminated`] : []),
      ...(b1 === 0 ? [`${w1.name} executed no activity before the kill`] : []),
      ...(b2 === 0 ? [`${w2.name} executed no activity before the kill`] : []),
    ];
    ok = problems.length === 0;
    console.log(ok ? 'PASS' : `FAIL: ${problems.join('; ')}`);
  } finally {
    await s.stop();
  }
  process.exit(ok ? 0 : 1);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
