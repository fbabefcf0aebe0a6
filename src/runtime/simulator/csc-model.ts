import { z } from "zod";
import { CscState } from "../../ir/schema.js";
import type { Clock } from "../executor.js";
import type { SiteLayout } from "./site-layout.js";
import type { SiteTimeline } from "./site-timeline.js";

/**
 * The CSCs of a simulated site as they really are (what LOVE would show): each one's summary state and
 * whether its process runs (sends heartbeats). The rules:
 * - a CSC commanded to a state while it runs goes to that state; commanded to OFFLINE, it reports OFFLINE
 *   and exits (its heartbeats stop); a heartbeat-only CSC (the VMSs) exits without reporting OFFLINE;
 * - a CSC that does not run ignores commands (the script cannot reach it);
 * - a CSC whose process is killed (its job deleted, its host's service stopped) stops sending heartbeats
 *   and reports nothing: its last state stays what it was;
 * - a CSC that is started runs after a startup delay, in the state the inventory says it comes up in;
 * - a CSC with a fault (`csc-fault=`) goes to FAULT instead of any state it is commanded to or starts in,
 *   and keeps running; the state it should have reached is remembered (OFFLINE once its process died), and
 *   clearing the fault is someone recovering it: it reaches that state.
 */

type State = z.infer<typeof CscState>;

export const CscRecordSchema = z.object({
  state: CscState.optional(),
  running: z.boolean(),
  /** When it last started or stopped running (site time). */
  since: z.number(),
  /** The state it would be in without its fault (only while it is in FAULT because of one). */
  intended: CscState.optional(),
  /** When it finishes starting (site time), while it is starting. */
  startAt: z.number().optional(),
});
export type CscRecord = z.infer<typeof CscRecordSchema>;

/** A change of a CSC, at a site time: what the EFD and the Kubernetes jobs follow. */
export type CscChange =
  | { readonly kind: "state"; readonly csc: string; readonly state: State; readonly at: number }
  | { readonly kind: "running"; readonly csc: string; readonly running: boolean; readonly at: number };

/** What a command did. */
export type CommandOutcome = "changed" | "unchanged" | "not-running" | "unknown-csc";

export class CscModel {
  private readonly records = new Map<string, CscRecord>();
  private readonly listeners = new Set<(change: CscChange) => void>();
  private faulty = new Set<string>();

  constructor(
    private readonly layout: SiteLayout,
    private readonly clock: Clock,
    private readonly timeline: SiteTimeline,
  ) {}

  /** Calls `listener` on every change; returns the function that stops it. */
  on(listener: (change: CscChange) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** A new site: every CSC running since `since`, in `stateOf(id)`. */
  seed(stateOf: (id: string) => State, since: number): void {
    for (const id of this.layout.cscIds()) this.records.set(id, { state: stateOf(id), running: true, since });
  }

  /** A restored site: the records as saved, with the starts still to come scheduled again. */
  restore(records: Readonly<Record<string, CscRecord>>): void {
    for (const id of this.layout.cscIds()) {
      const saved = records[id];
      this.records.set(id, saved ? { ...saved } : { running: false, since: this.clock.now() });
      if (saved?.startAt !== undefined) this.scheduleStartAt(id, saved.startAt);
    }
  }

  /**
   * Sets which CSCs have a fault. A CSC that had one and has it no more reaches the state it should have
   * (OFFLINE: it exits); one that gets a fault while running goes to FAULT.
   */
  setFaults(cscs: Iterable<string>): void {
    const next = new Set(cscs);
    this.faulty = next;
    // A CSC in FAULT because of a fault remembers what it should be (also across a restore): recover it.
    for (const [id, r] of this.records) {
      if (next.has(id) || r.intended === undefined) continue;
      const target = r.intended;
      r.intended = undefined;
      if (r.running) this.reach(id, target);
      // Recovered after its process died: what it should have been is what shows.
      else if (!(target === "OFFLINE" && this.layout.csc(id)?.heartbeatOnly)) this.setState(id, target);
    }
    for (const id of next) {
      const r = this.records.get(id);
      if (r?.running && r.state !== "FAULT") {
        r.intended = r.state;
        this.setState(id, "FAULT");
      }
    }
  }

  record(id: string): Readonly<CscRecord> | undefined {
    return this.records.get(id);
  }

  /** Every record, by CSC id, for the site's snapshot. */
  snapshot(): Record<string, CscRecord> {
    return Object.fromEntries([...this.records].map(([id, r]) => [id, { ...r }]));
  }

  /** A command from a ScriptQueue script (set_summary_state.py, system_wide_shutdown.py). */
  command(id: string, target: Exclude<State, "FAULT">): CommandOutcome {
    const r = this.records.get(id);
    if (!r) return "unknown-csc";
    if (!r.running) return "not-running";
    if (this.faulty.has(id)) {
      r.intended = target;
      if (r.state === "FAULT") return "unchanged";
      this.setState(id, "FAULT");
      return "changed";
    }
    if (r.state === target && target !== "OFFLINE") return "unchanged";
    this.reach(id, target);
    return "changed";
  }

  /** The CSC's process is killed: heartbeats stop, nothing is reported, a pending start is called off. */
  kill(id: string): void {
    const r = this.records.get(id);
    if (!r) return;
    this.timeline.cancel(startKey(id));
    r.startAt = undefined;
    // A CSC that dies in FAULT should have ended OFFLINE: that is what clearing its fault shows.
    if (r.intended !== undefined) r.intended = "OFFLINE";
    if (r.running) this.setRunning(id, false);
  }

  /**
   * Starts the CSC after `delayMs`: then it runs, in the state it comes up in. A CSC that runs already is
   * killed first (a new version replaces it).
   */
  start(id: string, delayMs: number): void {
    if (!this.records.has(id)) return;
    this.kill(id);
    this.scheduleStartAt(id, this.clock.now() + delayMs);
  }

  /** Whether it runs or is on its way up. */
  isUpOrStarting(id: string): boolean {
    const r = this.records.get(id);
    return Boolean(r && (r.running || r.startAt !== undefined));
  }

  private scheduleStartAt(id: string, at: number): void {
    const r = this.records.get(id)!;
    r.startAt = at;
    this.timeline.at(startKey(id), at, () => {
      r.startAt = undefined;
      this.setRunning(id, true);
      const starts = this.layout.csc(id)?.starts ?? "STANDBY";
      if (this.faulty.has(id)) {
        r.intended = starts;
        this.setState(id, "FAULT");
      } else this.setState(id, starts);
    });
  }

  /** Goes to `target`: OFFLINE is reported (unless heartbeat-only) and the process exits. */
  private reach(id: string, target: State): void {
    if (target !== "OFFLINE") {
      this.setState(id, target);
      return;
    }
    if (!this.layout.csc(id)?.heartbeatOnly) this.setState(id, "OFFLINE");
    this.setRunning(id, false);
  }

  private setState(id: string, state: State): void {
    const r = this.records.get(id)!;
    r.state = state;
    this.emit({ kind: "state", csc: id, state, at: this.clock.now() });
  }

  private setRunning(id: string, running: boolean): void {
    const r = this.records.get(id)!;
    const at = this.clock.now();
    r.running = running;
    r.since = at;
    this.emit({ kind: "running", csc: id, running, at });
  }

  private emit(change: CscChange): void {
    for (const listener of this.listeners) listener(change);
  }
}

function startKey(id: string): string {
  return `csc-start:${id}`;
}
