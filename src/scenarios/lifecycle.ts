import type { Logger } from 'pino';
import { EmulatorConfigError } from '../errors.js';
import type { Problem } from '../validation/schema-check.js';
import { compileScenario, parseScenarioText, type CompiledInbound, type CompiledScenario } from './compile.js';
import type { ScenarioEngine } from './engine.js';
import { ScenarioFiles, type ScenarioLoadState } from './files.js';
import { checkReachability, REACHABILITY_BUDGET } from './reachability.js';

/** Compile a run-time scenario for a scope (`'*'` for all accounts): the scenario, or every problem. */
export function compileRuntimeScenario(value: unknown, scope: string, fallbackName: string): ReturnType<typeof compileScenario> {
  return compileScenario(value, runtimeSource(scope), fallbackName);
}

/** What problems of a run-time scenario name as their source. */
const runtimeSource = (scope: string) => `scenario for ${scope === '*' ? 'all accounts' : `account ${scope}`}`;

/** Schedules one of a scenario's inbound messages (`afterMs` from now); given by the core, which owns the timeline. */
export type ScheduleInbound = (inbound: CompiledInbound) => void;

/**
 * Scenarios over their life: files read at start (and on hot reload, keeping the last good version of a broken
 * file), run-time scenarios added in front, each one's `start` inbound messages scheduled once when it comes into
 * force, and `manual` ones when triggered.
 */
export class ScenarioLifecycle {
  /** Problems of the last scenario file (re)load; the last good version of a broken file stays in force. */
  problems: Problem[] = [];
  private readonly files: ScenarioFiles | undefined;
  private readonly started = new WeakSet<CompiledScenario>();
  // The documents run-time scenarios were made from, for export and the data dir.
  private readonly documents = new WeakMap<CompiledScenario, unknown>();

  private initial: ScenarioLoadState | undefined;

  /**
   * Reads the scenario files at once, so a broken one throws EmulatorConfigError before any timer or socket exists;
   * they come into force with start(). `schedule` is called for each inbound message due (a closure of the core's).
   */
  constructor(
    private readonly engine: ScenarioEngine,
    private readonly log: Logger,
    paths: readonly string[],
    private readonly schedule: ScheduleInbound,
  ) {
    if (paths.length === 0) return;
    this.files = new ScenarioFiles(paths);
    this.initial = this.files.load();
    if (this.initial.problems.length > 0) throw new EmulatorConfigError(this.initial.problems);
  }

  /** Put the files read at construction in force, and watch them when `hotReload` is set. */
  start(hotReload: boolean): void {
    const initial = this.initial;
    this.initial = undefined;
    if (!initial) return;
    this.apply(initial);
    if (hotReload) this.files?.watch((state) => this.apply(state));
  }

  private apply(state: ScenarioLoadState): void {
    this.problems = state.problems;
    for (const problem of state.problems) {
      this.log.error(
        { file: problem.source, line: problem.line, field: problem.field },
        `scenario file problem: ${problem.problem}. Fix: ${problem.fix}; the last good version stays in force`,
      );
    }
    this.engine.setFileScenarios(state.scenarios);
    this.warnUnreachable(state.scenarios);
    for (const scenario of state.scenarios) this.bringIntoForce(scenario);
    this.log.info({ scenarios: state.scenarios.map((s) => s.name) }, 'scenario files loaded');
  }

  // Rules that can never match (an earlier one always does) are warned about, and marked for the scenario listing.
  private warnUnreachable(scenarios: readonly CompiledScenario[]): void {
    const { warnings, complete } = checkReachability(scenarios);
    for (const w of warnings) {
      this.log.warn({ file: w.source, line: w.line, rule: w.field }, `scenario rule can never match: ${w.problem}. Fix: ${w.fix}`);
    }
    if (!complete) this.log.warn({ budget: REACHABILITY_BUDGET }, 'scenario rules: the check for rules that can never match stopped at its budget');
  }

  // Each newly loaded scenario's 'start' inbound messages are scheduled once, when it comes into force.
  private bringIntoForce(scenario: CompiledScenario): void {
    if (this.started.has(scenario)) return;
    this.started.add(scenario);
    for (const inbound of scenario.inbound) if (inbound.trigger === 'start') this.schedule(inbound);
  }

  /**
   * Check and add a scenario at run time, in front of the others, for one account or all (`'*'`): a document, or its
   * YAML or JSON text as a string (parsed and bounded as a file is; problems have lines). `name` replaces the document's.
   */
  use(input: unknown, scope = '*', options: { fallbackName?: string; name?: string } = {}): CompiledScenario {
    const source = runtimeSource(scope);
    let value = input;
    let lineOf: Parameters<typeof compileScenario>[3];
    if (typeof input === 'string') {
      const parsed = parseScenarioText(input, source);
      if (parsed.problems.length > 0) throw new EmulatorConfigError(parsed.problems);
      ({ value, lineOf } = parsed);
    }
    if (options.name !== undefined && value !== null && typeof value === 'object' && !Array.isArray(value)) value = { ...value, name: options.name };
    const { scenario, problems } = compileScenario(value, source, options.fallbackName ?? 'runtime', lineOf);
    if (!scenario) throw new EmulatorConfigError(problems);
    this.install(scenario, scope, structuredClone(value));
    return scenario;
  }

  /** Put a compiled run-time scenario in force, in front of the others, with the document it was made from. */
  install(scenario: CompiledScenario, scope: string, document: unknown): void {
    this.documents.set(scenario, document);
    // Within the scenario only: run-time scenarios go in front of the files on purpose, to override them.
    this.warnUnreachable([scenario]);
    this.engine.use(scenario, scope);
    this.bringIntoForce(scenario);
  }

  /** The document a run-time scenario was added from (export, data dir). */
  document(scenario: CompiledScenario): unknown {
    return this.documents.get(scenario);
  }

  /** Fire a scenario's manual inbound messages (all, or the one named); returns how many were scheduled. */
  trigger(scenarioName: string, inboundName?: string): number {
    let count = 0;
    for (const scenario of this.engine.filesAndRuntime()) {
      if (scenario.name !== scenarioName) continue;
      for (const inbound of scenario.inbound) {
        if (inbound.trigger !== 'manual' || (inboundName !== undefined && inbound.name !== inboundName)) continue;
        count++;
        this.schedule(inbound);
      }
    }
    return count;
  }

  /** Stop watching the files. */
  close(): void {
    this.files?.close();
  }
}
