// bandwidth-sdk as a README snippet sees it: the real package, with Configuration's basePath mapped from the README's
// fixed addresses to the test's emulators (SNIPPET_URL_4010, SNIPPET_URL_4011).
import sdk from 'bandwidth-sdk';

export * from 'bandwidth-sdk';

const mapped = (url) =>
  typeof url === 'string' ? url.replace(/^http:\/\/127\.0\.0\.1:(4010|4011)/, (whole, port) => process.env[`SNIPPET_URL_${port}`] ?? whole) : url;

/** The SDK's Configuration, its basePath mapped. */
export class Configuration extends sdk.Configuration {
  constructor(parameters = {}) {
    super({ ...parameters, basePath: mapped(parameters.basePath) });
  }
}
