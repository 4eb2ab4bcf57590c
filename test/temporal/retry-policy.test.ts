// One list of failures that are never retried (workflows/definitions/retry.ts), and no attempt
// limits elsewhere: a failure thrown as non-retryable must name a listed type, the engines' own
// constants must be in the list (and the retryable one must not), and no workflow caps attempts
// except the self-test probe.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { FailureType, NON_RETRYABLE_ERROR_TYPES, RETRY_UNTIL_FIXED } from '../../workflows/definitions/retry';
import {
  AI_BUDGET_EXCEEDED,
  AI_CLIENT_NOT_FOUND,
  AI_OUTPUT_INVALID,
  AI_REQUEST_REJECTED,
  AI_UNAVAILABLE,
  NON_RETRYABLE_AI_ERRORS,
} from '../../src/engines/ai/errors';
import { AI_NOT_CONFIGURED, SKILL_RUN_INVALID } from '../../src/engines/skill-runs/errors';
import { SKILL_INPUT_INVALID, SKILL_OUTPUT_INVALID } from '../../src/engines/skills/skill';
import { TelegramError } from '../../src/integrations/telegram/errors';
import { PermanentSendError } from '../../src/integrations/channels';

const ROOT = join(__dirname, '..', '..');

function sources(dir: string): string[] {
  return readdirSync(join(ROOT, dir)).flatMap((name) => {
    const rel = join(dir, name);
    if (rel.includes('generated')) return [];
    if (statSync(join(ROOT, rel)).isDirectory()) return sources(rel);
    return rel.endsWith('.ts') ? [rel] : [];
  });
}

/** The text of the call starting at `from` (the index of its opening parenthesis), parentheses balanced. */
function callText(text: string, from: number): string {
  let depth = 0;
  for (let i = from; i < text.length; i++) {
    if (text[i] === '(') depth++;
    if (text[i] === ')' && --depth === 0) return text.slice(from, i + 1);
  }
  return text.slice(from);
}

/** Every non-retryable failure created in activities and below: its file and the type expression. */
function nonRetryableThrows(): { file: string; type: string | null; call: string }[] {
  const found: { file: string; type: string | null; call: string }[] = [];
  for (const file of [...sources('activities'), ...sources('src')]) {
    const text = readFileSync(join(ROOT, file), 'utf8');
    for (const m of text.matchAll(/ApplicationFailure\.(nonRetryable|create)\(/g)) {
      const call = callText(text, m.index + m[0].length - 1);
      if (m[1] === 'create') {
        if (!/nonRetryable:\s*true/.test(call)) continue;
        found.push({ file, type: /type:\s*([^,}\s]+)/.exec(call)?.[1] ?? null, call });
      } else {
        // nonRetryable(message, type?, ...details): the type is the second top-level argument.
        let depth = 0;
        let quote: string | null = null;
        const args: string[] = [''];
        for (const ch of call.slice(1, -1)) {
          if (quote) {
            if (ch === quote) quote = null;
          } else if ('\'"`'.includes(ch)) quote = ch;
          else if ('([{'.includes(ch)) depth++;
          else if (')]}'.includes(ch)) depth--;
          else if (ch === ',' && depth === 0) {
            args.push('');
            continue;
          }
          args[args.length - 1] += ch;
        }
        found.push({ file, type: args[1]?.trim() || null, call });
      }
    }
  }
  return found;
}

it('every non-retryable failure names a type, and literal types are listed', () => {
  const all = nonRetryableThrows();
  expect(all.length).toBeGreaterThan(10);
  expect(all.filter((t) => t.type === null).map((t) => `${t.file}: ${t.call.slice(0, 80)}`)).toEqual([]);
  const literal = all.filter((t) => t.type && /^['"]/.test(t.type)).map((t) => t.type!.slice(1, -1));
  expect(literal.filter((t) => !NON_RETRYABLE_ERROR_TYPES.includes(t))).toEqual([]);
  const viaList = all.filter((t) => t.type?.startsWith('FailureType.')).map((t) => t.type!.slice('FailureType.'.length));
  expect(viaList.filter((k) => !(k in FailureType))).toEqual([]);
});

it("the engines' and integrations' named failures are in the list; the retryable one is not", () => {
  const engineTypes = [
    AI_BUDGET_EXCEEDED,
    AI_CLIENT_NOT_FOUND,
    AI_OUTPUT_INVALID,
    AI_REQUEST_REJECTED,
    AI_NOT_CONFIGURED,
    SKILL_RUN_INVALID,
    SKILL_INPUT_INVALID,
    SKILL_OUTPUT_INVALID,
    ...NON_RETRYABLE_AI_ERRORS,
  ];
  expect(engineTypes.filter((t) => !NON_RETRYABLE_ERROR_TYPES.includes(t))).toEqual([]);
  expect(NON_RETRYABLE_ERROR_TYPES).toContain(new TelegramError('x', 'sendMessage', false, 400, null).name);
  expect(NON_RETRYABLE_ERROR_TYPES).not.toContain(new TelegramError('x', 'sendMessage', true, 500, null).name);
  expect(NON_RETRYABLE_ERROR_TYPES).toContain(new PermanentSendError('x').name);
  expect(NON_RETRYABLE_ERROR_TYPES).not.toContain(AI_UNAVAILABLE);
  expect(RETRY_UNTIL_FIXED.maximumAttempts).toBeUndefined();
  expect(RETRY_UNTIL_FIXED.nonRetryableErrorTypes).toBe(NON_RETRYABLE_ERROR_TYPES);
});

it('no workflow caps its attempts, except the self-test probe', () => {
  const capped = sources('workflows').filter((f) => /maximumAttempts/.test(readFileSync(join(ROOT, f), 'utf8')));
  expect(capped.sort()).toEqual(['workflows/definitions/retry.ts', 'workflows/self-test.ts']);
  const unbounded = sources('workflows').filter((f) => /proxy(Local)?Activities<.*?>\(\{[^}]*retry:\s*\{/s.test(readFileSync(join(ROOT, f), 'utf8')));
  expect(unbounded).toEqual(['workflows/self-test.ts']);
});
