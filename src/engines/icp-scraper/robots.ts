// robots.txt (RFC 9309): the group for our product token (else `*`), Allow/Disallow rules with `*`
// and `$`, the longest matching rule wins and Allow wins a tie. An unreachable robots.txt (5xx,
// network error) means "disallow everything"; a missing one (4xx) means "allow everything".

export interface RobotsRule {
  allow: boolean;
  pattern: string;
}

export interface Robots {
  /** 'found' | 'missing' (4xx: all allowed) | 'unreachable' (all disallowed). */
  status: 'found' | 'missing' | 'unreachable';
  rules: RobotsRule[];
  crawlDelaySeconds?: number;
}

export const ALLOW_ALL: Robots = { status: 'missing', rules: [] };
export const DISALLOW_ALL: Robots = { status: 'unreachable', rules: [{ allow: false, pattern: '/' }] };

/** Parses robots.txt for a crawler whose product token is `agent` (case-insensitive). */
export function parseRobots(text: string, agent: string): Robots {
  const token = agent.toLowerCase();
  interface Group {
    agents: string[];
    rules: RobotsRule[];
    delay?: number;
  }
  const groups: Group[] = [];
  let current: Group | null = null;
  let lastWasAgent = false;
  for (const raw of text.split(/\r\n|\r|\n/)) {
    const line = raw.replace(/#.*$/, '').trim();
    const m = /^([A-Za-z-]+)\s*:\s*(.*)$/.exec(line);
    if (!m) continue;
    const key = m[1].toLowerCase();
    const value = m[2].trim();
    if (key === 'user-agent') {
      if (!current || !lastWasAgent) {
        current = { agents: [], rules: [] };
        groups.push(current);
      }
      current.agents.push(value.toLowerCase());
      lastWasAgent = true;
      continue;
    }
    lastWasAgent = false;
    if (!current) continue;
    if (key === 'allow' || key === 'disallow') {
      // An empty Disallow allows everything: no rule.
      if (value === '') continue;
      current.rules.push({ allow: key === 'allow', pattern: value });
    } else if (key === 'crawl-delay' && Number.isFinite(Number(value))) {
      current.delay = Number(value);
    }
  }
  const mine = groups.filter((g) => g.agents.some((a) => a !== '*' && token.startsWith(a)));
  const chosen = mine.length ? mine : groups.filter((g) => g.agents.includes('*'));
  return {
    status: 'found',
    rules: chosen.flatMap((g) => g.rules),
    crawlDelaySeconds: chosen.find((g) => g.delay !== undefined)?.delay,
  };
}

/**
 * `*` matches any run of characters, a trailing `$` anchors the end; otherwise a rule matches as a
 * prefix. A two-pointer glob match (O(path × pattern) at worst): a hostile robots.txt full of
 * wildcards cannot make it backtrack exponentially the way a regular expression would.
 */
export function ruleMatches(pattern: string, path: string): boolean {
  const anchored = pattern.endsWith('$');
  const p = anchored ? pattern.slice(0, -1) : `${pattern}*`;
  let i = 0;
  let j = 0;
  let star = -1;
  let mark = 0;
  while (j < path.length) {
    if (i < p.length && p[i] !== '*' && p[i] === path[j]) {
      i++;
      j++;
    } else if (i < p.length && p[i] === '*') {
      star = i++;
      mark = j;
    } else if (star >= 0) {
      i = star + 1;
      j = ++mark;
    } else {
      return false;
    }
  }
  while (i < p.length && p[i] === '*') i++;
  return i === p.length;
}

function normalizePath(p: string): string {
  // Compare percent-encoding consistently: decode what is safe to decode.
  try {
    return decodeURI(p);
  } catch {
    // A malformed escape (URIError): compare the path as written.
    return p;
  }
}

/** Whether `pathAndQuery` (e.g. `/private.html?x=1`) may be fetched. */
export function isAllowed(robots: Robots, pathAndQuery: string): boolean {
  if (pathAndQuery === '/robots.txt') return true;
  const path = normalizePath(pathAndQuery);
  let best: RobotsRule | null = null;
  for (const rule of robots.rules) {
    if (!ruleMatches(normalizePath(rule.pattern), path)) continue;
    const longer = !best || rule.pattern.length > best.pattern.length;
    const tieAllow = best && rule.pattern.length === best.pattern.length && rule.allow && !best.allow;
    if (longer || tieAllow) best = rule;
  }
  return best ? best.allow : true;
}
