// The hostile-load suite at the sizes issue 16 names (`npm run test:hostile`, about a minute; not in `npm test`,
// which runs the reduced sizes from test/e2e/hostile-load-reduced.test.ts). See ./suite.ts and RELIABILITY.md.
import { FULL_SIZES } from './bounds.js';
import { hostileLoadSuite } from './suite.js';

hostileLoadSuite('full', FULL_SIZES);
