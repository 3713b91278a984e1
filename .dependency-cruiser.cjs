// The layering of src/, checked by `npm run check:layers` (part of `npm run check`). Bottom to top:
//
//   shared (validation, config, errors, ids, clock, min-heap, segments, iso-time, error-codes and its -doc, listen-url): imports no layer
//   store ← model ← scenarios ← callbacks ← core (emulator.ts, messaging/) ← persistence ← adapters (api, control, http, server, metrics)
//   ← entry points (compose.ts, cli.ts and its shutdown-report.ts, start.ts, index.ts, container-reach.ts: the CLI's banner in a container)
//
// A layer may import the layers below it and the shared modules, never one above it, and no cycle is allowed
// anywhere. Type-only imports count too (tsPreCompilationDeps): a type is a dependency of the design even when the
// compiler erases it. Only the composition root (compose.ts) constructs the core: every other module imports
// src/emulator.ts for types alone.
// test/unit/layering.test.ts runs these rules on small fixture trees to show that each one fires.

/** Modules every layer may use: no state, no domain logic of their own. */
const SHARED = [
  '^src/validation/',
  '^src/config/',
  '^src/control/message-query\\.ts$',
  '^src/proxy/(ca-dir|bandwidth-hosts|trust-instructions)\\.ts$',
  '^src/(errors|ids|clock|min-heap|segments|segment-lint|iso-time|error-codes(-doc)?|listen-url|inline-media)\\.ts$',
];
const STORE = ['^src/store/'];
// The shapes planning and delivery share (event types, planned steps, pending work): neither owns them.
const MODEL = ['^src/model/'];
const SCENARIOS = ['^src/scenarios/'];
const CALLBACKS = ['^src/callbacks/'];
// The emulator facade, the messaging core being split out of it, and the modules only the core uses.
const CORE = ['^src/messaging/', '^src/(emulator|accounts|throwaway-accounts|multichannel|media-fetch)\\.ts$'];
const PERSISTENCE = ['^src/persistence/'];
const ADAPTERS = ['^src/(api|control|http)/', '^src/proxy/(?!ca-dir\\.ts$|bandwidth-hosts\\.ts$|trust-instructions\\.ts$)', '^src/(server|metrics)\\.ts$'];
// The composition root and the entry points that use it: they may import everything.
const ENTRY = ['^src/(compose|cli|start|index|shutdown-report|container-reach)\\.ts$'];
const ALL_LAYERS = [...SHARED, ...STORE, ...MODEL, ...SCENARIOS, ...CALLBACKS, ...CORE, ...PERSISTENCE, ...ADAPTERS, ...ENTRY];

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'A cycle makes two modules one: neither can be read, tested or moved without the other. Break it by moving the shared part down a layer.',
      from: {},
      to: { circular: true },
    },
    {
      name: 'layer-unknown',
      severity: 'error',
      comment: 'Every module in src/ belongs to a layer. Add its path to one of the lists at the top of .dependency-cruiser.cjs.',
      from: { path: '^src/' },
      to: { path: '^src/', pathNot: ALL_LAYERS },
    },
    {
      name: 'shared-imports-no-layer',
      severity: 'error',
      comment: 'The shared modules (validation, config, errors, ids, clock, min-heap, segments, iso-time, error-codes) import only each other.',
      from: { path: SHARED },
      to: { path: '^src/', pathNot: SHARED },
    },
    {
      name: 'store-imports-no-layer',
      severity: 'error',
      comment: 'src/store is the bottom layer: it imports only itself and the shared modules.',
      from: { path: STORE },
      to: { path: '^src/', pathNot: [...STORE, ...SHARED] },
    },
    {
      name: 'model-imports-only-store',
      severity: 'error',
      comment: 'src/model (shapes shared by planning and delivery) may import the store and the shared modules only.',
      from: { path: MODEL },
      to: { path: '^src/', pathNot: [...MODEL, ...STORE, ...SHARED] },
    },
    {
      name: 'scenarios-import-only-store',
      severity: 'error',
      comment: 'src/scenarios may import the model, the store and the shared modules; not callbacks, the core, persistence or adapters.',
      from: { path: SCENARIOS },
      to: { path: '^src/', pathNot: [...SCENARIOS, ...MODEL, ...STORE, ...SHARED] },
    },
    {
      name: 'callbacks-import-only-scenarios-and-store',
      severity: 'error',
      comment: 'src/callbacks may import scenarios, the model, the store and the shared modules; not the core, persistence or adapters.',
      from: { path: CALLBACKS },
      to: { path: '^src/', pathNot: [...CALLBACKS, ...SCENARIOS, ...MODEL, ...STORE, ...SHARED] },
    },
    {
      name: 'core-imports-no-persistence-or-adapter',
      severity: 'error',
      comment:
        'The core (emulator.ts, messaging/) sits below persistence and the adapters: it may not import them. Persistence plugs into the core, not the other way round.',
      from: { path: CORE },
      to: { path: [...PERSISTENCE, ...ADAPTERS, ...ENTRY] },
    },
    {
      name: 'core-constructed-only-by-composition',
      severity: 'error',
      comment: 'Only src/compose.ts (createEmulator) constructs the core; everything else imports src/emulator.ts for types alone.',
      from: { path: '^src/', pathNot: '^src/compose\\.ts$' },
      to: { path: '^src/emulator\\.ts$', dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'persistence-imports-no-adapter',
      severity: 'error',
      comment: 'src/persistence sits above the core and below the adapters (api, control, server, cli, start, metrics).',
      from: { path: PERSISTENCE },
      to: { path: [...ADAPTERS, ...ENTRY] },
    },
    {
      name: 'adapters-import-no-entry-point',
      severity: 'error',
      comment: 'The adapters (api, control, server, metrics) are wired by the entry points, never the other way round.',
      from: { path: ADAPTERS },
      to: { path: ENTRY },
    },
    {
      name: 'src-imports-no-tooling',
      severity: 'error',
      comment: 'The shipped code never reaches into tests, the web inbox sources, examples, benchmarks or build scripts.',
      from: { path: '^src/' },
      to: { path: '^(test|ui|examples|bench|scripts|bin)/' },
    },
    {
      name: 'src-imports-no-dev-dependency',
      severity: 'error',
      comment: 'A devDependency is not installed for users of the package: src/ may not import one (a type-only import of @types is fine).',
      from: { path: '^src/' },
      to: { dependencyTypes: ['npm-dev'], dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'not-to-unresolvable',
      severity: 'error',
      comment: 'An import that cannot be resolved would slip past every rule above.',
      from: { path: '^src/' },
      to: { couldNotResolve: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    // Built output: tests import dist/ on purpose (the published files); its modules are not the source's layers.
    exclude: { path: '^(dist|coverage)/' },
    tsPreCompilationDeps: true,
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      mainFields: ['module', 'main', 'types', 'typings'],
    },
    skipAnalysisNotInRules: true,
  },
};
