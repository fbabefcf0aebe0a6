/**
 * A directed graph over steps numbered 0..n-1, with the few algorithms the compiler needs, each linear in
 * the size of the graph and free of recursion (plans may have 100,000 steps).
 */
export interface Dag {
  readonly size: number;
  readonly succ: number[][];
  readonly pred: number[][];
}

export function buildDag(size: number, edges: Iterable<readonly [number, number]>): Dag {
  const succ: number[][] = Array.from({ length: size }, () => []);
  const pred: number[][] = Array.from({ length: size }, () => []);
  for (const [from, to] of edges) {
    succ[from]!.push(to);
    pred[to]!.push(from);
  }
  return { size, succ, pred };
}

export function addEdge(dag: Dag, from: number, to: number): void {
  dag.succ[from]!.push(to);
  dag.pred[to]!.push(from);
}

/** A cycle as the list of its nodes (the first repeated at the end), or undefined when there is none. */
export function findCycle(dag: Dag): number[] | undefined {
  const state = new Uint8Array(dag.size); // 0 new, 1 on the stack, 2 done
  const parent = new Int32Array(dag.size).fill(-1);
  const next = new Int32Array(dag.size);
  for (let root = 0; root < dag.size; root++) {
    if (state[root] !== 0) continue;
    const stack = [root];
    state[root] = 1;
    while (stack.length > 0) {
      const v = stack[stack.length - 1]!;
      const out = dag.succ[v]!;
      if (next[v]! < out.length) {
        const w = out[next[v]!++]!;
        if (state[w] === 0) {
          state[w] = 1;
          parent[w] = v;
          stack.push(w);
        } else if (state[w] === 1) {
          const cycle = [w];
          for (let u = v; u !== w; u = parent[u]!) cycle.push(u);
          cycle.push(w);
          return cycle.reverse();
        }
      } else {
        state[v] = 2;
        stack.pop();
      }
    }
  }
  return undefined;
}

/**
 * A topological order in which, among the nodes ready at any moment, the one with the smallest node number
 * comes first: nodes are numbered in the order written, so the result is deterministic and as close to the
 * written order as the edges allow. Undefined when the graph has a cycle.
 */
export function topologicalOrder(dag: Dag): number[] | undefined {
  const indegree = new Int32Array(dag.size);
  for (let v = 0; v < dag.size; v++) for (const w of dag.succ[v]!) indegree[w]!++;
  const heap = new MinHeap();
  for (let v = 0; v < dag.size; v++) if (indegree[v] === 0) heap.push(v);
  const order: number[] = [];
  while (heap.size > 0) {
    const v = heap.pop();
    order.push(v);
    for (const w of dag.succ[v]!) if (--indegree[w]! === 0) heap.push(w);
  }
  return order.length === dag.size ? order : undefined;
}

/** The nodes reachable from `start` by following edges forward (`start` included). */
export function descendants(dag: Dag, start: number): Uint8Array {
  return walk(dag.succ, start, dag.size);
}

/** The nodes from which `start` can be reached (`start` included). */
export function ancestors(dag: Dag, start: number): Uint8Array {
  return walk(dag.pred, start, dag.size);
}

function walk(adjacency: number[][], start: number, size: number): Uint8Array {
  const seen = new Uint8Array(size);
  seen[start] = 1;
  const stack = [start];
  while (stack.length > 0) {
    const v = stack.pop()!;
    for (const w of adjacency[v]!) {
      if (!seen[w]) {
        seen[w] = 1;
        stack.push(w);
      }
    }
  }
  return seen;
}

/**
 * An order the runtime could choose in which `first` runs before `second`, when no path leads from
 * `second` to `first`: everything `first` needs, then `first`, then the rest, each part in topological order.
 */
export function orderWithFirst(dag: Dag, first: number): number[] {
  const needed = ancestors(dag, first);
  const all = topologicalOrder(dag) ?? [];
  return [...all.filter((v) => needed[v]), ...all.filter((v) => !needed[v])];
}

class MinHeap {
  private readonly items: number[] = [];

  get size(): number {
    return this.items.length;
  }

  push(v: number): void {
    const a = this.items;
    a.push(v);
    let i = a.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (a[p]! <= a[i]!) break;
      [a[p], a[i]] = [a[i]!, a[p]!];
      i = p;
    }
  }

  pop(): number {
    const a = this.items;
    const top = a[0]!;
    const last = a.pop()!;
    if (a.length > 0) {
      a[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < a.length && a[l]! < a[m]!) m = l;
        if (r < a.length && a[r]! < a[m]!) m = r;
        if (m === i) break;
        [a[m], a[i]] = [a[i]!, a[m]!];
        i = m;
      }
    }
    return top;
  }
}
