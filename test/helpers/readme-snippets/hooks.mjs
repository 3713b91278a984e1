// Module hooks for README snippets run by test/e2e/readme-snippets.test.ts: a snippet's `bandwidth-sdk` and
// `bandwidth-emulator` imports resolve to shims that map the README's fixed addresses (127.0.0.1:4010 and :4011) to
// the emulators the test started on free ports, since tests never bind a fixed port. Only snippet files are mapped.
const SHIMS = {
  'bandwidth-sdk': new URL('./sdk-shim.mjs', import.meta.url).href,
  'bandwidth-emulator': new URL('./emulator-shim.mjs', import.meta.url).href,
};

/** Resolve hook: snippet imports of the two packages go to the shims; everything else resolves as usual. */
export async function resolve(specifier, context, nextResolve) {
  if (Object.hasOwn(SHIMS, specifier) && context.parentURL?.includes('/.readme-snippets-')) return { url: SHIMS[specifier], shortCircuit: true };
  return nextResolve(specifier, context);
}
