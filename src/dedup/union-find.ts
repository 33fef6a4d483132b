/**
 * Disjoint sets (union-find) over document numbers, for near-duplicate clusters: if A ~ B and B ~ C
 * are verified pairs, A, B and C are one cluster even when A and C were never compared. This is what
 * lets the LSH cap its bucket fan-out (lsh.ts) without losing duplicates: reaching any member of a
 * cluster reaches the cluster.
 *
 * - The root of a set is always its smallest (earliest) document. Documents arrive in stable-id
 *   order, so the root is the record that is kept and every other member names it as duplicateOf.
 * - find uses path halving (every node on the path points to its grandparent), which with the
 *   earliest-root rule keeps paths short in practice; amortised cost is O(log n) per operation
 *   (Tarjan & van Leeuwen 1984), plenty next to the hashing work.
 * - Sizes count every member, including exact duplicates added with `grow`, so the largest cluster
 *   can be reported (a giant cluster usually means a template problem).
 * Storage: two Int32Arrays, 8 bytes per document.
 */
export class UnionFind {
  private parent = new Int32Array(1024);
  private sizes = new Int32Array(1024);
  private nodes = 0;
  private largestSize = 0;

  get count(): number {
    return this.nodes;
  }

  /** The size of the largest set. */
  get largest(): number {
    return this.largestSize;
  }

  /** Adds a singleton set and returns its node number (0, 1, 2, … in call order). */
  add(): number {
    const node = this.nodes++;
    if (node >= this.parent.length) this.growColumns();
    this.parent[node] = node;
    this.sizes[node] = 1;
    if (this.largestSize < 1) this.largestSize = 1;
    return node;
  }

  find(node: number): number {
    const parent = this.parent;
    let current = node;
    while (parent[current] !== current) {
      const grandparent = parent[parent[current]!]!;
      parent[current] = grandparent;
      current = grandparent;
    }
    return current;
  }

  /** Merges the sets of `a` and `b`; returns the root, the smaller of the two roots. */
  union(a: number, b: number): number {
    const rootA = this.find(a);
    const rootB = this.find(b);
    if (rootA === rootB) return rootA;
    const root = rootA < rootB ? rootA : rootB;
    const child = rootA < rootB ? rootB : rootA;
    this.parent[child] = root;
    this.sizes[root]! += this.sizes[child]!;
    if (this.sizes[root]! > this.largestSize) this.largestSize = this.sizes[root]!;
    return root;
  }

  /** Counts `members` more members in the set of `node` without nodes of their own. */
  grow(node: number, members = 1): void {
    const root = this.find(node);
    this.sizes[root]! += members;
    if (this.sizes[root]! > this.largestSize) this.largestSize = this.sizes[root]!;
  }

  sizeOf(node: number): number {
    return this.sizes[this.find(node)]!;
  }

  get byteLength(): number {
    return this.parent.byteLength + this.sizes.byteLength;
  }

  private growColumns(): void {
    const parent = new Int32Array(this.parent.length * 2);
    parent.set(this.parent);
    const sizes = new Int32Array(this.sizes.length * 2);
    sizes.set(this.sizes);
    this.parent = parent;
    this.sizes = sizes;
  }
}
