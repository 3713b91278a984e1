// Shared fast-check settings for every property test: a fixed seed so `npm test` is reproducible, and a bounded
// number of runs so it stays fast. `npm run test:props` (FC_NUM_RUNS=2000) runs the same properties much longer;
// FC_SEED picks another seed, and a failure prints the seed and path to replay it.
import type fc from 'fast-check';

const envInt = (name: string, fallback: number): number => {
  const raw = process.env[name];
  const value = raw === undefined || raw === '' ? Number.NaN : Number(raw);
  return Number.isInteger(value) && value > 0 ? value : fallback;
};

/** Runs per property: 60 in `npm test`, FC_NUM_RUNS for a longer hunt. */
const NUM_RUNS = envInt('FC_NUM_RUNS', 60);
/** The seed every property starts from: fixed, so a red run is reproducible. */
const SEED = envInt('FC_SEED', 20_261_126);

/** fast-check parameters for one property; `scale` gives cheap properties more runs and costly ones fewer. */
export function fcParams(scale = 1): fc.Parameters<unknown> {
  return { seed: SEED, numRuns: Math.max(1, Math.round(NUM_RUNS * scale)) };
}
