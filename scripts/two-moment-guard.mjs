#!/usr/bin/env node
// The two-moment guard: runs the window-sensitive test files twice, once with "now" inside every
// unpinned send window (AOS_TEST_MOMENT=open) and once outside it (closed), and fails when any test's
// verdict differs between the two (or fails in either). See test/harness/clock.ts.
//
//   node scripts/two-moment-guard.mjs                   the window-sensitive files (found by content)
//   node scripts/two-moment-guard.mjs --all             every test file (how the suite was searched)
//   node scripts/two-moment-guard.mjs test/a.test.ts    these files
//   --closed-report <jest.json>                         reuse a finished `closed` run (CI's npm test)
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';

const ROOT = join(import.meta.dirname, '..');
// A file that starts sequences, enrols leads or computes windows can depend on the moment.
const SENSITIVE =
  /launchCampaign|createLead|leadSequenceWorkflow|startCampaignWorkflow|\/campaigns|\/leads|windowOpenNow|windowClosedNow|sendWindow|nextSendWindow|addBusinessDays|seedSend/;

function testFiles(dir) {
  const out = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...testFiles(p));
    else if (name.endsWith('.test.ts')) out.push(relative(ROOT, p));
  }
  return out.sort();
}

const args = process.argv.slice(2);
let closedReport;
const i = args.indexOf('--closed-report');
if (i >= 0) {
  closedReport = args[i + 1];
  args.splice(i, 2);
}
const all = args.includes('--all');
const given = args.filter((a) => !a.startsWith('--'));
const files = given.length > 0 ? given : testFiles(join(ROOT, 'test')).filter((f) => all || SENSITIVE.test(readFileSync(join(ROOT, f), 'utf8')));
if (files.length === 0) {
  console.error('two-moment guard: no test files selected');
  process.exit(1);
}

function run(moment) {
  const out = join(mkdtempSync(join(tmpdir(), 'two-moment-')), `${moment}.json`);
  console.log(`two-moment guard: ${files.length} files with AOS_TEST_MOMENT=${moment}`);
  spawnSync('npx', ['jest', '--json', `--outputFile=${out}`, ...files], {
    cwd: ROOT,
    stdio: ['ignore', 'inherit', 'inherit'],
    env: { ...process.env, AOS_TEST_MOMENT: moment },
  });
  return out;
}

/** `file › full test name` → passed | failed | pending (a file that failed to run counts as failed). */
function verdicts(reportPath) {
  const report = JSON.parse(readFileSync(reportPath, 'utf8'));
  const v = new Map();
  for (const file of report.testResults) {
    const f = relative(ROOT, file.name);
    if (!files.includes(f)) continue;
    if (file.assertionResults.length === 0) v.set(`${f} › (file)`, file.status);
    for (const a of file.assertionResults) v.set(`${f} › ${a.fullName}`, a.status);
  }
  for (const f of files) if (![...v.keys()].some((k) => k.startsWith(`${f} › `))) v.set(`${f} › (file)`, 'missing');
  return v;
}

const open = verdicts(run('open'));
const closed = verdicts(closedReport ?? run('closed'));
const problems = [];
for (const key of new Set([...open.keys(), ...closed.keys()])) {
  const a = open.get(key) ?? 'missing';
  const b = closed.get(key) ?? 'missing';
  if (a !== b) problems.push(`  moment-dependent: ${key} (open: ${a}, closed: ${b})`);
  else if (a !== 'passed' && a !== 'pending') problems.push(`  failed in both: ${key} (${a})`);
}
if (problems.length > 0) {
  console.error(`two-moment guard: FAILED\n${problems.join('\n')}`);
  process.exit(1);
}
console.log(`two-moment guard: ${open.size} tests in ${files.length} files give the same verdict inside and outside the send window`);
