import { describe, expect, it } from 'vitest';
import { assertCallbackMatchesSpec, assertMatchesSpec } from '../helpers/spec.js';

// The spec validator is what every conformance test leans on: prove it rejects as well as accepts.
describe('spec schema helper', () => {
  it('accepts a valid message and rejects a wrong type', () => {
    const ok = {
      id: '1589228074636lm4k2je7j7jklbn2',
      owner: '+15554443333',
      applicationId: 'a',
      time: '2024-12-02T20:15:57.278Z',
      segmentCount: 1,
      direction: 'out',
      to: ['+15552223333'],
      from: '+15554443333',
      text: 'hi',
    };
    expect(() => assertMatchesSpec('message', ok)).not.toThrow();
    expect(() => assertMatchesSpec('message', { ...ok, segmentCount: 'one' })).toThrow(/segmentCount/);
    expect(() => assertMatchesSpec('message', { ...ok, direction: 'sideways' })).toThrow(/direction/);
  });
  it('requires callback bodies to be arrays of spec-shaped events', () => {
    expect(() => assertCallbackMatchesSpec({ type: 'message-delivered' })).toThrow(/array/);
    expect(() => assertCallbackMatchesSpec([{ type: 'message-delivered', time: '2024-12-02T20:15:57.278Z', to: '+15552223333', description: 'ok' }])).toThrow(
      /message/,
    );
  });
});
