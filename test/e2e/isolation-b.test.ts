// Two test files, one emulator process: this file is account b, isolation-a.test.ts account a.
// The suite and the orchestration are in isolation-shared.ts.
import { ISOLATION_ACCOUNTS, isolationSuite } from './isolation-shared.js';

isolationSuite(ISOLATION_ACCOUNTS.b, ISOLATION_ACCOUNTS.a);
