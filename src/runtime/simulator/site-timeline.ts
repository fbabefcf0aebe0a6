import type { Clock } from "../executor.js";

/**
 * What is due when on a simulated site (a CSC that finishes starting, an Argo CD sync that moves on, pods
 * that become ready), run in time order on the site's clock by one background loop. Events are keyed: a
 * new event with a key replaces the pending one. The owners of events keep the facts they stand for in
 * their own state, and schedule them again when a site is restored; the timeline itself is not saved.
 */
export class SiteTimeline {
  private readonly pending = new Map<string, { at: number; run: () => void }>();
  private wake?: () => void;
  private readonly stopping = new AbortController();
  private loop?: Promise<void>;
  /** Called with what an event threw: the loop goes on. */
  onError: (error: unknown) => void = () => {};

  constructor(private readonly clock: Clock) {}

  /** Runs `run` at site time `at` (at once on the next turn when it is due already). */
  at(key: string, at: number, run: () => void): void {
    this.pending.set(key, { at, run });
    this.wake?.();
  }

  cancel(key: string): void {
    this.pending.delete(key);
  }

  has(key: string): boolean {
    return this.pending.has(key);
  }

  /** Runs every event that is due, in time order (ties by key), including those they schedule as due. */
  settle(): void {
    for (;;) {
      const now = this.clock.now();
      let next: [string, { at: number; run: () => void }] | undefined;
      for (const entry of this.pending) {
        if (entry[1].at > now) continue;
        if (!next || entry[1].at < next[1].at || (entry[1].at === next[1].at && entry[0] < next[0]))
          next = entry;
      }
      if (!next) return;
      this.pending.delete(next[0]);
      try {
        next[1].run();
      } catch (e) {
        this.onError(e);
      }
    }
  }

  /** Starts the loop that runs events when they are due. */
  start(): void {
    this.loop ??= this.run();
  }

  /** Stops the loop; pending events stay pending. */
  async stop(): Promise<void> {
    this.stopping.abort(new Error("the site is stopping"));
    this.wake?.();
    await this.loop;
  }

  private async run(): Promise<void> {
    const signal = this.stopping.signal;
    while (!signal.aborted) {
      this.settle();
      const earliest = Math.min(...[...this.pending.values()].map((e) => e.at));
      const woken = new AbortController();
      this.wake = () => woken.abort();
      try {
        const wait = Number.isFinite(earliest) ? Math.max(1, earliest - this.clock.now()) : 3_600_000;
        await this.clock.sleep(wait, AbortSignal.any([signal, woken.signal]));
      } catch {
        // woken up, or stopping: look again
      }
      this.wake = undefined;
    }
  }
}
