// Two test files, one emulator process: this file is account a, isolation-b.test.ts account b.
// The suite and the orchestration are in isolation-shared.ts.
import { ISOLATION_ACCOUNTS, isolationSuite } from './isolation-shared.js';

isolationSuite(ISOLATION_ACCOUNTS.a, ISOLATION_ACCOUNTS.b);
