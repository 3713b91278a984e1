// Two test files, one emulator process: this file is file b (its own throwaway account), isolation-a.test.ts file a.
// The suite and the orchestration are in isolation-shared.ts.
import { ISOLATION_FILES, isolationSuite } from './isolation-shared.js';

isolationSuite(ISOLATION_FILES.b, ISOLATION_FILES.a);
