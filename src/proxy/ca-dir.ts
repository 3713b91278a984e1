import { join } from 'node:path';

/**
 * Where the local CA lives unless `--ca-dir` says otherwise: the user's config folder, so every emulator the user runs
 * (CLI, tests, several projects) shares one CA and the trust set up once keeps working. XDG_CONFIG_HOME on Linux,
 * %APPDATA% on Windows, ~/.config elsewhere (macOS included: it is where command-line tools look, not Library).
 */
export function defaultCaDir(env: Record<string, string | undefined>, platform: NodeJS.Platform, home: string): string {
  if (platform === 'win32' && env.APPDATA) return join(env.APPDATA, 'bandwidth-emulator', 'ca');
  const config = env.XDG_CONFIG_HOME?.startsWith('/') ? env.XDG_CONFIG_HOME : join(home, '.config');
  return join(config, 'bandwidth-emulator', 'ca');
}
