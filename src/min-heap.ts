/** A binary min-heap in the order `before` gives: push and pop cost O(log n), peek O(1). */
export class MinHeap<T> {
  private items: T[] = [];

  constructor(private readonly before: (a: T, b: T) => boolean) {}

  /** How many items it holds (stale ones a caller skips included). */
  get size(): number {
    return this.items.length;
  }

  /** The first item in order, without taking it. */
  peek(): T | undefined {
    return this.items[0];
  }

  /** Add an item. */
  push(item: T): void {
    const { items, before } = this;
    let i = items.push(item) - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!before(item, items[parent]!)) break;
      items[i] = items[parent]!;
      i = parent;
    }
    items[i] = item;
  }

  /** Take the first item in order. */
  pop(): T | undefined {
    const { items, before } = this;
    const top = items[0];
    const last = items.pop();
    if (items.length === 0 || last === undefined) return top;
    let i = 0;
    for (;;) {
      const left = 2 * i + 1;
      if (left >= items.length) break;
      const right = left + 1;
      const child = right < items.length && before(items[right]!, items[left]!) ? right : left;
      if (!before(items[child]!, last)) break;
      items[i] = items[child]!;
      i = child;
    }
    items[i] = last;
    return top;
  }

  /** Keep only the items `keep` accepts and rebuild (callers that skip stale items lazily compact with it). */
  retain(keep: (item: T) => boolean): void {
    const live = this.items.filter(keep);
    this.items = [];
    for (const item of live) this.push(item);
  }

  /** Every item, in no particular order (the heap's own array order). */
  values(): readonly T[] {
    return this.items;
  }

  /** Forget every item. */
  clear(): void {
    this.items = [];
  }
}
