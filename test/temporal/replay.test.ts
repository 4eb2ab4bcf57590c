// Replays every committed workflow history against the current workflow code: an edit to a
// running workflow that is not behind patched() fails here with a non-determinism error.
// The worker parses the CLI's proto JSON itself. Record new histories with RECORD_HISTORIES=1 (see test/harness/histories.ts).
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from '@temporalio/worker';
import { harnessValue } from '../harness/env';
import { HISTORIES_DIR } from '../harness/histories';
import { SERIALISED_TRANSITIONS_PATCH } from '../../workflows/campaign';
import { AI_PERSONALISE_ACTIVITY_PATCH } from '../../workflows/lead-sequence';

const files = readdirSync(HISTORIES_DIR).filter((f) => f.endsWith('.json'));

it('replays every committed history without non-determinism', async () => {
  expect(files.length).toBeGreaterThan(0);
  const histories = files.map((file) => {
    const raw = JSON.parse(readFileSync(join(HISTORIES_DIR, file), 'utf8'));
    return { workflowId: String(raw.workflowId), history: raw.history as unknown };
  });
  const failures: string[] = [];
  let replayed = 0;
  for await (const result of Worker.runReplayHistories({ workflowBundle: { codePath: harnessValue('bundlePath') } }, histories)) {
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
  expect(patchIds('campaign-transitions-serialised.json')).toContain(SERIALISED_TRANSITIONS_PATCH);
});

// workflows/lead-sequence.ts, AI personalisation as its own activity: a history of an AI-personalised
// touch recorded before the patch (Claude called inside attemptTouch) and one after it (attemptTouch,
// personaliseTouchCopy, attemptTouch) both replay above.
it('holds a lead-sequence history from before the ai-personalise-activity patch, and one after', () => {
  expect(patchIds('lead-sequence-ai-pre-patch.json')).toEqual([]);
  expect(patchIds('lead-sequence-ai-personalised.json')).toContain(AI_PERSONALISE_ACTIVITY_PATCH);
});
