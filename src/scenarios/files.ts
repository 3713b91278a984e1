import { readdirSync, readFileSync, statSync, watch, type FSWatcher } from 'node:fs';
import { basename, dirname, extname, join, resolve } from 'node:path';
import type { Problem } from '../validation/schema-check.js';
import { compileScenarioText, MAX_SCENARIO_FILE_BYTES, type CompiledScenario } from './compile.js';

const SCENARIO_EXTENSIONS = new Set(['.yaml', '.yml', '.json']);

/** Expand paths (files or folders) into scenario files, folders sorted by name so load order is stable. */
export function scenarioFilesIn(paths: readonly string[]): { files: string[]; problems: Problem[] } {
  const files: string[] = [];
  const problems: Problem[] = [];
  for (const path of paths) {
    let isDir: boolean;
    try {
      isDir = statSync(path).isDirectory();
    } catch {
      problems.push({ source: path, field: '(path)', problem: 'does not exist', fix: 'pass --scenarios an existing file or folder' });
      continue;
    }
    if (!isDir) files.push(resolve(path));
    else for (const name of readdirSync(path).sort()) if (SCENARIO_EXTENSIONS.has(extname(name))) files.push(resolve(join(path, name)));
  }
  return { files, problems };
}

function readScenarioFile(file: string): { text?: string; problems: Problem[] } {
  try {
    if (statSync(file).size > MAX_SCENARIO_FILE_BYTES) {
      return {
        problems: [
          { source: file, field: '(file)', problem: `is larger than ${MAX_SCENARIO_FILE_BYTES} bytes`, fix: 'split it into several smaller scenario files' },
        ],
      };
    }
    return { text: readFileSync(file, 'utf8'), problems: [] };
  } catch (error) {
    return {
      problems: [
        {
          source: file,
          field: '(file)',
          problem: `cannot be read (${(error as NodeJS.ErrnoException).code ?? String(error)})`,
          fix: 'check the path and permissions',
        },
      ],
    };
  }
}

/** Read and compile one scenario file. */
export function compileScenarioFile(file: string): { scenario?: CompiledScenario; problems: Problem[] } {
  const { text, problems } = readScenarioFile(file);
  if (text === undefined) return { problems };
  return compileScenarioText(text, file, basename(file, extname(file)));
}

/** The state of the file-based scenarios: the good ones in force, and the problems of the last load of each file. */
export interface ScenarioLoadState {
  scenarios: CompiledScenario[];
  problems: Problem[];
}

/**
 * Scenario files loaded from paths, hot-reloaded on change. A file that breaks keeps its last good version in force,
 * and the error is reported to `onReload`.
 */
export class ScenarioFiles {
  // The last good version of each file, with the text it was compiled from.
  private readonly good = new Map<string, { scenario: CompiledScenario; text: string }>();
  private problemsByFile = new Map<string, Problem[]>();
  private watchers: FSWatcher[] = [];
  private pending: NodeJS.Timeout | undefined;

  constructor(private readonly paths: readonly string[]) {}

  /** Load every file now; returns the scenarios and every problem found. */
  load(): ScenarioLoadState {
    const { files, problems } = scenarioFilesIn(this.paths);
    const seen = new Set(files);
    for (const file of [...this.good.keys()]) if (!seen.has(file)) this.good.delete(file);
    this.problemsByFile = new Map();
    if (problems.length) this.problemsByFile.set('(paths)', problems);
    for (const file of files) {
      const read = readScenarioFile(file);
      if (read.text === undefined) {
        this.problemsByFile.set(file, read.problems);
        continue;
      }
      // A file whose text did not change (a reload caused by another file in the folder, or a save without edits)
      // keeps its compiled scenario: hit counters, the seeded stream and already-fired inbound messages carry on.
      if (this.good.get(file)?.text === read.text) continue;
      const result = compileScenarioText(read.text, file, basename(file, extname(file)));
      if (result.scenario) this.good.set(file, { scenario: result.scenario, text: read.text });
      if (result.problems.length) this.problemsByFile.set(file, result.problems);
    }
    return this.state(files);
  }

  /** Watch the paths and reload (debounced) on any change until close(). */
  watch(onReload: (state: ScenarioLoadState) => void): void {
    for (const path of this.paths) {
      try {
        // Editors save by replacing the file, which ends a watch on the file itself: watch its folder instead.
        const isDir = statSync(path).isDirectory();
        const folder = isDir ? path : dirname(path);
        const only = isDir ? undefined : basename(path);
        const watcher = watch(folder, (_event, name) => {
          if (only !== undefined && name !== null && name !== only) return;
          clearTimeout(this.pending);
          // Editors write in several steps; wait for the burst to end before re-reading.
          this.pending = setTimeout(() => onReload(this.load()), 50);
          this.pending.unref();
        });
        watcher.unref();
        this.watchers.push(watcher);
      } catch {
        // A path that vanished is reported by load(); nothing to watch.
      }
    }
  }

  /** Stop watching. */
  close(): void {
    clearTimeout(this.pending);
    for (const watcher of this.watchers) watcher.close();
    this.watchers = [];
  }

  private state(files: string[]): ScenarioLoadState {
    return {
      scenarios: files.map((f) => this.good.get(f)?.scenario).filter((s): s is CompiledScenario => s !== undefined),
      problems: [...this.problemsByFile.values()].flat(),
    };
  }
}
