// JSON.parse takes any depth, but structuredClone, JSON.stringify and recursive checks do not: a document nested
// 100,000 levels deep overflows the stack in them. Depth is measured here with an explicit stack, never recursion.

const isContainer = (value: unknown): value is object => value !== null && typeof value === 'object';

// The first container deeper than maxDepth, in walk order; a second walk (keeping paths) runs only when one exists.
function walk(root: object, maxDepth: number, onChild?: (child: object, parent: object, key: string | number) => void): object | undefined {
  const nodes: object[] = [root];
  const depths: number[] = [1];
  while (nodes.length > 0) {
    const node = nodes.pop()!;
    const depth = depths.pop()!;
    if (depth > maxDepth) return node;
    if (Array.isArray(node)) {
      for (let i = 0; i < node.length; i++) {
        const child: unknown = node[i];
        if (!isContainer(child)) continue;
        onChild?.(child, node, i);
        nodes.push(child);
        depths.push(depth + 1);
      }
    } else {
      for (const key in node) {
        const child: unknown = (node as Record<string, unknown>)[key];
        if (!isContainer(child)) continue;
        onChild?.(child, node, key);
        nodes.push(child);
        depths.push(depth + 1);
      }
    }
  }
  return undefined;
}

/** The path (`a[0].b`) of the first object or array nested deeper than `maxDepth` levels (the root is level 1), if any. */
export function tooDeep(value: unknown, maxDepth: number): string | undefined {
  if (!isContainer(value) || walk(value, maxDepth) === undefined) return undefined;
  const parents = new Map<object, { parent: object; key: string | number }>();
  const found = walk(value, maxDepth, (child, parent, key) => parents.set(child, { parent, key }))!;
  const keys: Array<string | number> = [];
  // Bounded by the depth: an object reached twice (a cycle) must not make this walk up forever.
  for (let link = parents.get(found); link && keys.length < maxDepth; link = parents.get(link.parent)) keys.unshift(link.key);
  return keys.reduce<string>((acc, key) => (typeof key === 'number' ? `${acc}[${key}]` : acc ? `${acc}.${key}` : key), '') || '(root)';
}
