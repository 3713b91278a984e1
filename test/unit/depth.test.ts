import { describe, expect, it } from 'vitest';
import { tooDeep } from '../../src/validation/depth.js';

const nested = (levels: number, inner: unknown = 1): unknown => {
  let value: unknown = inner;
  for (let i = 0; i < levels; i++) value = i % 2 ? [value] : { a: value };
  return value;
};

describe('tooDeep', () => {
  it('measures levels of objects and arrays (the root is level 1); scalars add none', () => {
    expect(tooDeep({ a: [{ b: 'x' }] }, 3)).toBeUndefined();
    expect(tooDeep({ a: [{ b: {} }] }, 3)).toBe('a[0].b');
    expect(tooDeep(5, 0)).toBeUndefined();
    expect(tooDeep([], 0)).toBe('(root)');
  });

  it('walks a document nested 100,000 levels deep without recursion and names the first path past the bound', () => {
    const deep = JSON.parse(JSON.stringify({ ok: [1, 2], deep: 'X' }).replace('"X"', '['.repeat(100_000) + ']'.repeat(100_000))) as unknown;
    expect(tooDeep(deep, 3)).toBe('deep[0][0]');
    expect(tooDeep(nested(65), 65)).toBeUndefined();
    expect(tooDeep(nested(66), 65)).toMatch(/^\[0\]\.a\[0\]\.a/);
  });

  it('stops on a cycle (an in-process caller) at the bound instead of looping', () => {
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(tooDeep(cyclic, 10)).toBe('self.self.self.self.self.self.self.self.self.self');
  });
});
