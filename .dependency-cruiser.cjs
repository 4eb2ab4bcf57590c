// Layer rules (DESIGN.md "Layers"): imports only point downwards. `npm run lint` runs this after
// eslint; test/lint/layers.test.ts proves a wrong import fails it.
//
//   shared      src/shared, src/config.ts, src/logger.ts, src/net, src/observability
//   db          src/db
//   integrations src/integrations
//   engines     src/engines
//   activities  activities/          workflows  workflows/ (deterministic; type-only activities)
//   lifecycle   src/lifecycle (the Temporal client facade)
//   glue        src/api, src/cli, src/main.ts, src/worker.ts, src/composition.ts (the composition root),
//               src/seed.ts, src/worker-health.ts, temporal/
//
// A known exception is listed in `knownExceptions` below with the reason it is still there, so
// that new violations of the same rule still fail.

const SHARED = '^src/(shared/|config\\.ts$|logger\\.ts$|net/|observability/)';
// Pure domain definitions (channels, place names, email domains): the one part of src workflows may
// import, since it has no I/O and no Node APIs.
const SHARED_DOMAIN = '^src/shared/domain/';
const DB = '^src/db/';
const INTEGRATIONS = '^src/integrations/';
const ENGINES = '^src/engines/';
const ACTIVITIES = '^activities/';
const WORKFLOWS = '^workflows/';
// Workflow modules other code may import at run time: ids, search attributes and the definitions
// (inputs, signals, queries, updates) shared with the workflows.
const WORKFLOW_DEFINITIONS = '^workflows/(definitions/|ids\\.ts$|search-attributes\\.ts$)';
const LIFECYCLE = '^src/lifecycle/';
const API = '^src/api/';
const GLUE = '^(src/(api/|cli/|main\\.ts$|worker\\.ts$|composition\\.ts$|seed\\.ts$|worker-health\\.ts$)|temporal/)';

/**
 * Known violations not fixed yet, each with its reason: { rule, from, to } (exact paths). A rule
 * lets exactly these pairs through, so a new violation of the same rule still fails.
 */
const knownExceptions = [];

const exact = (path) => `^${path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`;

/** A rule forbidding `from` → `to` (plus `extra` conditions on the target), minus the known exceptions. */
function layer(name, comment, from, to, extra = {}) {
  const rule = { name, comment, severity: 'error', from: { path: from }, to: { path: to, ...extra } };
  const byFrom = new Map();
  for (const e of knownExceptions.filter((x) => x.rule === name)) byFrom.set(e.from, [...(byFrom.get(e.from) ?? []), e.to]);
  if (byFrom.size === 0) return [rule];
  // One rule cannot except pairs: the excepted source files get a rule of their own that
  // excludes their excepted targets.
  return [
    { ...rule, from: { path: from, pathNot: [...byFrom.keys()].map(exact) } },
    ...[...byFrom].map(([file, targets]) => ({
      ...rule,
      from: { path: exact(file) },
      to: { ...rule.to, pathNot: [...(rule.to.pathNot ? [rule.to.pathNot] : []), ...targets.map(exact)] },
    })),
  ];
}

module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      comment: 'Circular imports make the layers meaningless and module initialisation order fragile.',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    ...layer(
      'shared-is-the-bottom',
      'src/shared, config, logger, net and observability import no other layer.',
      SHARED,
      `${DB}|${INTEGRATIONS}|${ENGINES}|${ACTIVITIES}|${WORKFLOWS}|${LIFECYCLE}|${GLUE}`,
    ),
    ...layer(
      'db-imports-only-shared',
      'src/db holds the Prisma client factory and migrations, no business logic.',
      DB,
      `${INTEGRATIONS}|${ENGINES}|${ACTIVITIES}|${WORKFLOWS}|${LIFECYCLE}|${GLUE}`,
    ),
    ...layer(
      'integrations-below-engines',
      'Provider modules never import engines or anything above them.',
      INTEGRATIONS,
      `${ENGINES}|${ACTIVITIES}|${WORKFLOWS}|${LIFECYCLE}|${GLUE}`,
    ),
    ...layer(
      'engines-below-orchestration',
      'Engines are business logic: no activities, workflows, lifecycle, API or glue.',
      ENGINES,
      `${ACTIVITIES}|${WORKFLOWS}|${LIFECYCLE}|${GLUE}`,
    ),
    ...layer(
      'activities-below-lifecycle',
      'Activities never reach the lifecycle facade, the API or the glue (their deps are injected).',
      ACTIVITIES,
      `${LIFECYCLE}|${GLUE}`,
    ),
    ...layer(
      'activities-import-only-workflow-definitions',
      'Activities import workflow definitions, ids and search attributes, never a workflow file (not even `import type`).',
      ACTIVITIES,
      WORKFLOWS,
      { pathNot: WORKFLOW_DEFINITIONS },
    ),
    ...layer(
      'workflows-import-only-workflows',
      'Workflow code is replayed: it imports only workflows/**, src/shared/domain and packages (activities with `import type`, below).',
      WORKFLOWS,
      '^(src|temporal|test|bench|scripts|prisma)/',
      { pathNot: SHARED_DOMAIN },
    ),
    ...layer(
      'shared-domain-is-pure',
      'src/shared/domain is bundled into workflows: no Node built-ins and nothing from src outside it.',
      SHARED_DOMAIN,
      '^(src/(?!shared/domain/)|activities/|workflows/|temporal/)',
    ),
    {
      name: 'shared-domain-no-node-builtins',
      comment: 'src/shared/domain is bundled into workflows, which must stay deterministic.',
      severity: 'error',
      from: { path: SHARED_DOMAIN },
      to: { dependencyTypes: ['core'] },
    },
    {
      name: 'workflows-import-activities-as-types',
      comment: 'A workflow reaches its activities through proxyActivities; a value import would bundle their implementation.',
      severity: 'error',
      from: { path: WORKFLOWS },
      to: { path: ACTIVITIES, dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'workflows-no-node-builtins',
      comment: 'Workflow code must be deterministic: no Node built-ins.',
      severity: 'error',
      from: { path: WORKFLOWS },
      to: { dependencyTypes: ['core'] },
    },
    ...layer(
      'lifecycle-below-glue',
      'The lifecycle facade serves the API and the worker; it imports neither, nor activities.',
      LIFECYCLE,
      `${ACTIVITIES}|${GLUE}`,
    ),
    {
      name: 'lifecycle-imports-workflow-files-as-types',
      comment: 'Starting or signalling a workflow needs its type, never its code.',
      severity: 'error',
      from: { path: LIFECYCLE },
      to: { path: WORKFLOWS, pathNot: WORKFLOW_DEFINITIONS, dependencyTypesNot: ['type-only'] },
    },
    ...layer(
      'api-not-activities',
      'The API never runs activity code: it goes through engines and the lifecycle facade.',
      API,
      `${ACTIVITIES}|^src/(main|worker|composition)\\.ts$|^temporal/`,
    ),
    {
      name: 'api-imports-workflow-files-as-types',
      comment: 'The API imports workflow definitions, ids and search attributes; a workflow file only as a type.',
      severity: 'error',
      from: { path: API },
      to: { path: WORKFLOWS, pathNot: WORKFLOW_DEFINITIONS, dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'no-import-of-entry-points',
      comment: 'Entry points (main, CLIs) and the composition root are imported by nothing but the main entry point.',
      severity: 'error',
      from: { pathNot: '^src/main\\.ts$' },
      to: { path: '^src/(main\\.ts$|composition\\.ts$|cli/)' },
    },
    {
      name: 'worker-wired-by-composition',
      comment: 'The Temporal worker is created by the composition root alone.',
      severity: 'error',
      from: { pathNot: '^src/(main|composition)\\.ts$' },
      to: { path: '^src/worker\\.ts$' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^src/db/generated/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default', 'types'] },
    cache: false,
  },
};
