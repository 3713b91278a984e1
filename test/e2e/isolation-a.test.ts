// Two test files, one emulator process: this file is file a (its own throwaway account), isolation-b.test.ts file b.
// The suite and the orchestration are in isolation-shared.ts.
import { ISOLATION_FILES, isolationSuite } from './isolation-shared.js';

isolationSuite(ISOLATION_FILES.a, ISOLATION_FILES.b);
