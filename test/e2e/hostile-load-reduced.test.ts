// The hostile-load suite (test/hostile/suite.ts) at reduced sizes, in `npm test`: the same loads and the same
// bounds as `npm run test:hostile`, smaller (REDUCED_SIZES), so every run checks them. Needs the build.
import { REDUCED_SIZES } from '../hostile/bounds.js';
import { hostileLoadSuite } from '../hostile/suite.js';

hostileLoadSuite('reduced', REDUCED_SIZES);
