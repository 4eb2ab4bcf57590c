// Skill runs per user per skill per hour: every run costs Claude tokens, and some skills (those that
// read the web, several Claude calls each) cost more, so each skill can have a lower limit. The limit
// of a skill is SKILL_RUN_LIMITS[slug], else its front-matter `runsPerHour`, else SKILL_RUNS_PER_HOUR;
// 0 turns it off. Counted like the request limits (FixedWindowCounter, fixed windows, this API
// replica's view), keyed by user and skill; over it is a 429 with Retry-After.
import type { Config } from '../config';
import type { Db } from '../db/client';
import { findRunnableSkill } from '../engines/skill-runs/skill-store';
import { HttpError } from './errors';
import { FixedWindowCounter } from './rate-limit';

const HOUR_MS = 3_600_000;

export interface SkillRunLimiter {
  /** Counts one run of `skillSlug` (as `clientId` sees it) for `userId`; throws the 429 when over the skill's limit. */
  take(db: Db, userId: string, skillSlug: string, clientId: string): Promise<void>;
}

export function createSkillRunLimiter(config: Pick<Config, 'SKILL_RUNS_PER_HOUR' | 'SKILL_RUN_LIMITS'>, now?: () => number): SkillRunLimiter {
  const counter = new FixedWindowCounter(config.SKILL_RUNS_PER_HOUR, now, HOUR_MS);
  return {
    async take(db, userId, skillSlug, clientId) {
      let limit = config.SKILL_RUN_LIMITS[skillSlug];
      if (limit === undefined) {
        const skill = await findRunnableSkill(db, clientId, skillSlug);
        limit = skill?.runsPerHour ?? config.SKILL_RUNS_PER_HOUR;
      }
      if (limit <= 0) return;
      const result = counter.hit(`${userId}\0${skillSlug}`, limit);
      if (result.allowed) return;
      const retryAfter = Math.max(1, Math.ceil(result.resetMs / 1000));
      throw new HttpError(
        429,
        'RATE_LIMITED',
        `too many runs of ${skillSlug}: at most ${limit} per hour per user`,
        { scope: 'skill', skill: skillSlug, limit, retryAfterSeconds: retryAfter },
        { 'Retry-After': String(retryAfter) },
      );
    },
  };
}

// One limiter per app (per ApiDeps), created on first use so routes need no extra wiring.
const limiters = new WeakMap<object, SkillRunLimiter>();

export function skillRunLimiterFor(deps: { config: Pick<Config, 'SKILL_RUNS_PER_HOUR' | 'SKILL_RUN_LIMITS'> }): SkillRunLimiter {
  let l = limiters.get(deps);
  if (!l) limiters.set(deps, (l = createSkillRunLimiter(deps.config)));
  return l;
}
