import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { type LiveStatus, nextToStart } from "../../../src/runtime/ready.js";
import { ReadyQueue } from "../../../src/runtime/ready-queue.js";

const STATUSES: LiveStatus[] = ["pending", "running", "done", "skipped", "failed", "stopped"];

/** A selection: ids in order, each waiting for some earlier ones (and now and then for one outside it). */
const selection = fc.integer({ min: 1, max: 14 }).chain((n) =>
  fc.record({
    order: fc.constant(Array.from({ length: n }, (_, i) => `s${i}`)),
    deps: fc.array(fc.array(fc.integer({ min: 0, max: n }), { maxLength: 3 }), {
      minLength: n,
      maxLength: n,
    }),
    initial: fc.array(fc.constantFrom(...STATUSES), { minLength: n, maxLength: n }),
    ops: fc.array(
      fc.oneof(
        fc.record({ take: fc.integer({ min: 0, max: 5 }), halted: fc.boolean() }),
        fc.record({ step: fc.integer({ min: 0, max: n - 1 }), to: fc.constantFrom(...STATUSES) }),
      ),
      { maxLength: 40 },
    ),
  }),
);

describe("the ready queue", () => {
  it("starts exactly the steps nextToStart would, through any sequence of status changes", () => {
    fc.assert(
      fc.property(selection, ({ order, deps, initial, ops }) => {
        // A dependency on index i >= own index is turned into one on a step outside the selection.
        const after = new Map(
          order.map((id, i) => [id, deps[i]!.map((d) => (d < i ? `s${d}` : `outside-${d}`))] as const),
        );
        const status = new Map<string, LiveStatus>(order.map((id, i) => [id, initial[i]!]));
        const queue = new ReadyQueue(order, after, status);
        for (const op of ops) {
          if ("take" in op) {
            const expected = nextToStart({ order, after, status, concurrency: op.take, halted: op.halted });
            expect(queue.take(op.take, op.halted)).toEqual(expected);
            for (const id of expected) status.set(id, "running");
          } else {
            const id = order[op.step]!;
            status.set(id, op.to);
            queue.set(id, op.to);
          }
        }
      }),
      { numRuns: 500 },
    );
  });

  it("runs a wide plan of 20,000 steps in one pass, in the plan's order", () => {
    const width = 100;
    const order = Array.from({ length: 20_000 }, (_, i) => `${Math.floor(i / width)}.${i % width}`);
    const after = new Map(order.map((id, i) => [id, i >= width ? [order[i - width]!] : []] as const));
    const queue = new ReadyQueue(order, after, new Map());
    const started: string[] = [];
    for (;;) {
      const batch = queue.take(16, false);
      if (batch.length === 0) break;
      for (const id of batch) {
        started.push(id);
        queue.set(id, "done");
      }
    }
    expect(started).toEqual(order);
  });
});
