import type { LiveStatus } from "./ready.js";

/**
 * The decisions of `nextToStart` (ready.ts), kept up to date as statuses change instead of recomputed from
 * every status: pending steps whose every predecessor is done or skipped, in the plan's order, as many as
 * there are free slots; nothing once the run is halted. Pure: no I/O.
 *
 * NOTE: `nextToStart` scans every selected step each time one ends, which made a run quadratic in its
 * number of steps (a tenth of a millisecond per step at 10,000, bench/RESULTS.md). Here each step's
 * unsettled predecessors are counted, a step that settles counts down its successors, and the ready ones
 * wait in a heap by their place in the plan's order: a step costs the log of the ready ones.
 */
export class ReadyQueue {
  private readonly position = new Map<string, number>();
  private readonly status: LiveStatus[];
  /** Per step: how many of its predecessors are not done or skipped (one outside the selection never is). */
  private readonly waiting: Int32Array;
  private readonly successors: number[][];
  /** Positions of steps that were ready when pushed; stale entries are dropped when popped. */
  private readonly heap: number[] = [];
  private running = 0;

  constructor(
    private readonly order: readonly string[],
    after: ReadonlyMap<string, readonly string[]>,
    status: ReadonlyMap<string, LiveStatus>,
  ) {
    for (const [i, id] of order.entries()) this.position.set(id, i);
    this.status = order.map((id) => status.get(id) ?? "pending");
    this.waiting = new Int32Array(order.length);
    this.successors = order.map(() => []);
    order.forEach((id, i) => {
      for (const dep of after.get(id) ?? []) {
        const d = this.position.get(dep);
        if (d !== undefined) this.successors[d]!.push(i);
        if (d === undefined || !settled(this.status[d]!)) this.waiting[i]!++;
      }
    });
    this.status.forEach((s, i) => {
      if (s === "running") this.running++;
      this.offer(i);
    });
  }

  /** A step's new status, as the scheduler sets it. An id outside the selection is ignored. */
  set(id: string, next: LiveStatus): void {
    const i = this.position.get(id);
    if (i === undefined) return;
    const before = this.status[i]!;
    if (before === next) return;
    this.status[i] = next;
    if (before === "running") this.running--;
    if (next === "running") this.running++;
    if (settled(before) !== settled(next)) {
      const delta = settled(next) ? -1 : 1;
      for (const s of this.successors[i]!) {
        this.waiting[s]! += delta;
        this.offer(s);
      }
    }
    this.offer(i);
  }

  /**
   * The steps to start now, as `nextToStart` gives them for the same statuses, each then marked running
   * (the scheduler starts every step it is given).
   */
  take(concurrency: number, halted: boolean): string[] {
    if (halted) return [];
    let free = Math.max(1, Math.floor(concurrency)) - this.running;
    const out: number[] = [];
    while (free > 0 && this.heap.length > 0) {
      const i = this.pop();
      if (!this.ready(i) || out.includes(i)) continue;
      out.push(i);
      free--;
    }
    for (const i of out) this.set(this.order[i]!, "running");
    return out.map((i) => this.order[i]!);
  }

  private ready(i: number): boolean {
    return this.status[i] === "pending" && this.waiting[i] === 0;
  }

  private offer(i: number): void {
    if (this.ready(i)) this.push(i);
  }

  private push(v: number): void {
    const a = this.heap;
    a.push(v);
    let i = a.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (a[p]! <= a[i]!) break;
      [a[p], a[i]] = [a[i]!, a[p]!];
      i = p;
    }
  }

  private pop(): number {
    const a = this.heap;
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

function settled(status: LiveStatus): boolean {
  return status === "done" || status === "skipped";
}
