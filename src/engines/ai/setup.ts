// The AI engine's dependencies from the configuration: null without ANTHROPIC_API_KEY, so callers
// take their offline path (or refuse, for work that only Claude can do).
import type { Config } from '../../config';
import type { Db } from '../../db/client';
import { claudeFromConfig } from '../../integrations/anthropic';
import type { AiDeps } from './structured';

export function aiDepsFromConfig(db: Db, config: Config): AiDeps | null {
  const setup = claudeFromConfig(config);
  return setup.client ? { db, claude: setup.client, prices: setup.prices } : null;
}
