// Runs the two-factor example's tests (examples/two-factor/app.test.ts) as part of the suite: the root config only
// collects test/**/*.test.ts, and the example's describe blocks register in this file when it is imported.
import '../../examples/two-factor/app.test.js';
