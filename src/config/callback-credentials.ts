import { splitUrlCredentials } from './url-credentials.js';
import type { Problem } from '../validation/schema-check.js';

/** How an application authenticates its callbacks. */
export interface CallbackAuthConfig {
  mode: 'none' | 'preemptive' | 'challenge';
  username?: string;
  password?: string;
}

/** An application's callback settings as written: URLs that may carry `user:password@`, and callbackAuth if given. */
export interface WrittenCallbacks {
  callbackUrl?: string;
  inboundCallbackUrl?: string;
  outboundCallbackUrl?: string;
  callbackAuth?: CallbackAuthConfig;
}

const URL_FIELDS = ['callbackUrl', 'inboundCallbackUrl', 'outboundCallbackUrl'] as const;

/**
 * Move credentials written into an application's callback URLs (`http://user:pass@host/hook`) into its callbackAuth,
 * so the URLs the emulator keeps, shows and journals carry no secret and the credentials are really sent (as Basic:
 * preemptive unless callbackAuth.mode says `challenge`). Refused, with the fix: different credentials in two URLs, or
 * credentials both in a URL and in callbackAuth.
 */
export function moveUrlCredentials(
  app: WrittenCallbacks,
  where: (field: string) => { source: string; field: string },
): { urls: Pick<WrittenCallbacks, (typeof URL_FIELDS)[number]>; callbackAuth: CallbackAuthConfig; problems: Problem[] } {
  const problems: Problem[] = [];
  const urls: Pick<WrittenCallbacks, (typeof URL_FIELDS)[number]> = {};
  let found: { username: string; password: string; field: string } | undefined;
  for (const field of URL_FIELDS) {
    const written = app[field];
    if (written === undefined) continue;
    const split = splitUrlCredentials(written);
    urls[field] = split.url;
    if (!split.credentials) continue;
    if (found && (found.username !== split.credentials.username || found.password !== split.credentials.password)) {
      problems.push({
        ...where(field),
        problem: `carries other credentials than ${found.field}; an application sends one set of callback credentials`,
        fix: 'write the same user:password@ in both URLs, or put them once in callbackAuth',
      });
    }
    found ??= { ...split.credentials, field };
  }
  const given = app.callbackAuth;
  if (!found) return { urls, callbackAuth: given ?? { mode: 'none' }, problems };
  if (given?.username !== undefined) {
    problems.push({
      ...where(found.field),
      problem: 'carries credentials (user:password@) and callbackAuth has a username too',
      fix: 'give the credentials once: in the URL or in callbackAuth',
    });
  }
  // Credentials in the URL say "send them": mode none (the default) becomes preemptive, as curl sends a URL's userinfo.
  const mode = given === undefined || given.mode === 'none' ? 'preemptive' : given.mode;
  return { urls, callbackAuth: { mode, username: found.username, password: found.password }, problems };
}
