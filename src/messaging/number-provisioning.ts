import { isE164 } from '../config/schema.js';
import { RegistrationSchema, resolveRegistration, type NumberConfig, type RegistrationSpec } from '../config/numbers.js';
import { compileSchemaCheck, type Problem } from '../validation/schema-check.js';
import type { CoreParts } from './parts.js';

/** The most numbers one account holds at run time: the config's bound on `accounts[].numbers`. */
const MAX_NUMBERS_PER_ACCOUNT = 10_000;

const checkRegistration = compileSchemaCheck(RegistrationSchema);
// What a number may be: E.164 (short codes are written +12345 as the API takes them) or an alphanumeric sender id.
const ALNUM_SENDER = /^(?=.*[A-Za-z])[A-Za-z0-9 +_&-]{1,11}$/;

/** The outcome of a run-time change of a number: done, the account is not one the emulator has, or what is wrong. */
export type ProvisionResult = { entry: NumberConfig; created: boolean } | { unknownAccount: true } | { problems: Problem[] };

/**
 * Add a number to an account or change its registration at run time (the control API's PUT): checked as the config's
 * object form is, refused when another account owns the number; it applies from the next message on (the account
 * checks read it when a message is accepted). Lives in memory: a reset brings the configured numbers back.
 */
export function provisionNumber(parts: CoreParts, accountId: string, number: string, spec: unknown): ProvisionResult {
  const account = parts.accounts.find(accountId);
  if (!account) return { unknownAccount: true };
  const source = `PUT /__emulator/accounts/${accountId.slice(0, 64)}/numbers/${number.slice(0, 40)}`;
  const problems: Problem[] = [];
  if (number.length > 32 || (!isE164(number) && !ALNUM_SENDER.test(number)))
    problems.push({
      source,
      field: 'number',
      problem: `'${number.slice(0, 40)}' is neither E.164 nor an alphanumeric sender id`,
      fix: 'write it as +<country><number>, e.g. +19195550100 (encode + as %2B in a URL)',
    });
  problems.push(...checkRegistration(spec ?? {}, source));
  if (problems.length > 0) return { problems };
  const owner = parts.accounts.ownerOf(number);
  if (owner && owner.id !== account.id)
    return {
      problems: [
        { source, field: 'number', problem: `is a number of account ${owner.id}`, fix: `DELETE /__emulator/accounts/${owner.id}/numbers/${number} first` },
      ],
    };
  const exists = account.numbers.some((n) => n.number === number);
  if (!exists && account.numbers.length >= MAX_NUMBERS_PER_ACCOUNT)
    return {
      problems: [{ source, field: 'number', problem: `account ${account.id} has ${MAX_NUMBERS_PER_ACCOUNT} numbers already`, fix: 'remove one first' }],
    };
  const resolved = resolveRegistration(
    number,
    (spec ?? {}) as RegistrationSpec,
    account.applications.map((app) => app.id),
    account.id,
  );
  if (!resolved.entry) return { problems: resolved.problems.map((p) => ({ source, ...p })) };
  return { entry: resolved.entry, created: parts.accounts.setNumber(account, resolved.entry) === 'added' };
}

/** Remove a number from an account at run time: false when the account does not own it (or is unknown). */
export function releaseNumber(parts: CoreParts, accountId: string, number: string): boolean {
  const account = parts.accounts.find(accountId);
  return account !== undefined && parts.accounts.removeNumber(account, number);
}
