// Replays every committed workflow history against the current workflow code: an edit to a
// running workflow that is not behind patched() fails here with a non-determinism error. Each is
// replayed twice: on the bundle workers run with tracing off, and on the one with the OpenTelemetry
// workflow interceptors (tracing on), which must not change what a workflow does either.
// The worker parses the CLI's proto JSON itself. Record new histories with RECORD_HISTORIES=1 (see test/harness/histories.ts).
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Worker, type InjectedSinks } from '@temporalio/worker';
import type { OpenTelemetrySinks } from '@temporalio/interceptors-opentelemetry';
import { harnessValue } from '../harness/env';
import { HISTORIES_DIR } from '../harness/histories';
import { tracedWorkflowBundle } from '../harness/stack';
import { REBROADCAST_PATCH, SERIALIZED_TRANSITIONS_PATCH } from '../../workflows/campaign';
import { AI_PERSONALISE_ACTIVITY_PATCH, SEQUENCE_MIGRATION_PATCH } from '../../workflows/lead-sequence';

const files = readdirSync(HISTORIES_DIR).filter((f) => f.endsWith('.json'));

// The traced bundle's workflows call the span sink, which a replay never calls: registered to drop.
const dropSpans: InjectedSinks<OpenTelemetrySinks> = { exporter: { export: { fn: () => undefined } } };

it.each([
  ['the plain bundle', () => Promise.resolve({ codePath: harnessValue('bundlePath') }), undefined],
  ['the traced bundle', tracedWorkflowBundle, dropSpans],
])('replays every committed history without non-determinism on %s', async (_name, bundle, sinks) => {
  expect(files.length).toBeGreaterThan(0);
  const histories = files.map((file) => {
    const raw = JSON.parse(readFileSync(join(HISTORIES_DIR, file), 'utf8'));
    return { workflowId: String(raw.workflowId), history: raw.history as unknown };
  });
  const failures: string[] = [];
  let replayed = 0;
  for await (const result of Worker.runReplayHistories({ workflowBundle: await bundle(), sinks }, histories)) {
    replayed++;
    if (result.error) failures.push(`${result.workflowId}: ${result.error.message}`);
  }
  expect(failures).toEqual([]);
  expect(replayed).toBe(files.length);
});

// The one change shipped with patched() so far (workflows/campaign.ts, serialised transitions):
// a history recorded before it (no marker, a resume lost during a pause) and one recorded after
// it (with the marker) both replay above; without the patch the first fails with non-determinism.
/** The patch ids a history's markers record. */
function patchIds(file: string): string[] {
  const raw = JSON.parse(readFileSync(join(HISTORIES_DIR, file), 'utf8')) as {
    history: { events: { markerRecordedEventAttributes?: { markerName: string; details?: Record<string, { payloads: { data: string }[] }> } }[] };
  };
  return raw.history.events.flatMap((e) => {
    const m = e.markerRecordedEventAttributes;
    if (m?.markerName !== 'core_patch' || !m.details) return [];
    return Object.values(m.details).map((d) => (JSON.parse(Buffer.from(d.payloads[0].data, 'base64').toString('utf8')) as { id: string }).id);
  });
}

it('holds a campaign history recorded before the serialised-transitions patch, and one after', () => {
  expect(patchIds('campaign-transitions-pre-patch.json')).toEqual([]);
  expect(patchIds('campaign-transitions-serialised.json')).toContain(SERIALIZED_TRANSITIONS_PATCH);
});

// workflows/campaign.ts, a broadcast asked for while another was in flight (a cancel during a
// resume's): before the patch the run ended without telling its sequences of the cancel; after it,
// a second broadcastToSequences follows. Both replay above (without the patch() guard, the first
// fails with non-determinism).
it('holds a campaign history from before the rebroadcast patch, and one after', () => {
  expect(patchIds('campaign-cancel-during-broadcast-pre-patch.json')).not.toContain(REBROADCAST_PATCH);
  expect(patchIds('campaign-cancel-during-broadcast.json')).toContain(REBROADCAST_PATCH);
});

// workflows/lead-sequence.ts, AI personalisation as its own activity: a history of an AI-personalised
// touch recorded before the patch (Claude called inside attemptTouch) and one after it (attemptTouch,
// personaliseTouchCopy, attemptTouch) both replay above.
it('holds a lead-sequence history from before the ai-personalise-activity patch, and one after', () => {
  expect(patchIds('lead-sequence-ai-pre-patch.json')).toEqual([]);
  expect(patchIds('lead-sequence-ai-personalised.json')).toContain(AI_PERSONALISE_ACTIVITY_PATCH);
});

// workflows/lead-sequence.ts, creditsAdded: a handler with no command of its own, so no patch; a
// history in which two top-ups woke a touch waiting on no_credits (the first was not enough for it)
// replays above, and so does every history recorded before the handler existed.
it('holds a lead-sequence history whose no_credits wait was woken by creditsAdded', () => {
  const raw = JSON.parse(readFileSync(join(HISTORIES_DIR, 'lead-sequence-credits-wait.json'), 'utf8')) as {
    history: { events: { workflowExecutionSignaledEventAttributes?: { signalName: string } }[] };
  };
  expect(raw.history.events.filter((e) => e.workflowExecutionSignaledEventAttributes?.signalName === 'creditsAdded')).toHaveLength(2);
});

// workflows/lead-sequence.ts, sequence versions: a run moved to version 2 by the migrateSequence
// update (test/sequences/versions.test.ts) replays above, with the patch marker before its new
// schedule; every history recorded before the update existed replays unchanged (no migration, no marker).
it('holds a lead-sequence history migrated to a newer sequence version', () => {
  const raw = JSON.parse(readFileSync(join(HISTORIES_DIR, 'lead-sequence-migrated.json'), 'utf8')) as {
    history: { events: { workflowExecutionUpdateAcceptedEventAttributes?: { acceptedRequest?: { input?: { name?: string } } } }[] };
  };
  expect(patchIds('lead-sequence-migrated.json')).toContain(SEQUENCE_MIGRATION_PATCH);
  expect(raw.history.events.filter((e) => e.workflowExecutionUpdateAcceptedEventAttributes?.acceptedRequest?.input?.name === 'migrateSequence')).toHaveLength(
    1,
  );
  for (const file of files.filter((f) => f.startsWith('lead-sequence-') && f !== 'lead-sequence-migrated.json'))
    expect(patchIds(file)).not.toContain(SEQUENCE_MIGRATION_PATCH);
});

// workflows/lead-migration.ts: the first run of a migration paged two at a time, two pages per run
// (test/api/campaign-versions.test.ts), ending in continue-as-new with its counts and cursor.
it('holds a lead-migration history that continues as new after its pages', () => {
  const raw = JSON.parse(readFileSync(join(HISTORIES_DIR, 'lead-migration-paged.json'), 'utf8')) as {
    history: {
      events: { activityTaskScheduledEventAttributes?: { activityType?: { name?: string } }; workflowExecutionContinuedAsNewEventAttributes?: object }[];
    };
  };
  const events = raw.history.events;
  expect(events.filter((e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'migrateLeadPage')).toHaveLength(2);
  expect(events.at(-1)?.workflowExecutionContinuedAsNewEventAttributes).toBeDefined();
});
