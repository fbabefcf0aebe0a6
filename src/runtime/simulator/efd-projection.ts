import { z } from "zod";
import { CscState } from "../../ir/schema.js";
import type { Clock } from "../executor.js";
import type { CscChange, CscRecord } from "./csc-model.js";
import type { EfdServer } from "./efd-server.js";

/**
 * What the EFD of a simulated site holds of its CSCs: what the CSCs did, as the telegraf connectors write
 * it. While every connector runs, each summary state and each start or stop of heartbeats reaches the EFD
 * as it happens. While a connector is scaled to 0, the EFD is stale: nothing new reaches it, so every CSC
 * looks silent there after a minute, whatever it does. When the connectors are back, they catch up on
 * what Kafka kept: the states reported meanwhile are written with their own times, and heartbeats show
 * again for the CSCs that run.
 */

type State = z.infer<typeof CscState>;

export const EfdEntrySchema = z.object({
  state: CscState.optional(),
  stateAt: z.number().optional(),
  beatingSince: z.number().optional(),
  lastBeat: z.number().optional(),
});
/** What the EFD shows of one CSC (kept beside the double, to save and restore it). */
export type EfdEntry = z.infer<typeof EfdEntrySchema>;

export const EfdProjectionStateSchema = z.object({
  fresh: z.boolean(),
  /** When it went stale (site time), while it is. */
  staleSince: z.number().optional(),
  /** The states reported while the EFD was stale, not yet written. */
  backlog: z.array(z.object({ csc: z.string(), state: CscState, at: z.number() })),
  entries: z.record(z.string(), EfdEntrySchema),
});
export type EfdProjectionState = z.infer<typeof EfdProjectionStateSchema>;

export class EfdProjection {
  private fresh = true;
  private staleSince?: number;
  private backlog: { csc: string; state: State; at: number }[] = [];
  private readonly entries = new Map<string, EfdEntry>();

  constructor(
    private readonly efd: EfdServer,
    private readonly clock: Clock,
  ) {}

  get isFresh(): boolean {
    return this.fresh;
  }

  /** A new site: each CSC's state since `since`, beating since then when it runs. */
  seed(records: Readonly<Record<string, CscRecord>>, since: number): void {
    for (const [csc, r] of Object.entries(records)) {
      if (r.state) this.writeState(csc, r.state, since);
      this.writeBeat(csc, r.running ? { beatingSince: since } : {});
    }
  }

  /** A restored site: the EFD as it was saved. */
  restore(state: EfdProjectionState): void {
    this.fresh = state.fresh;
    this.staleSince = state.staleSince;
    this.backlog = state.backlog.map((b) => ({ ...b }));
    for (const [csc, e] of Object.entries(state.entries)) {
      if (e.state !== undefined && e.stateAt !== undefined) this.writeState(csc, e.state, e.stateAt);
      this.writeBeat(csc, { beatingSince: e.beatingSince, lastBeat: e.lastBeat });
    }
  }

  snapshot(): EfdProjectionState {
    return {
      fresh: this.fresh,
      ...(this.staleSince !== undefined ? { staleSince: this.staleSince } : {}),
      backlog: this.backlog.map((b) => ({ ...b })),
      entries: Object.fromEntries([...this.entries].map(([k, v]) => [k, { ...v }])),
    };
  }

  /** A CSC changed: the EFD learns of it now, or when it is fresh again. */
  apply(change: CscChange): void {
    if (!this.fresh) {
      if (change.kind === "state") this.backlog.push({ csc: change.csc, state: change.state, at: change.at });
      return;
    }
    if (change.kind === "state") this.writeState(change.csc, change.state, change.at);
    else this.writeBeat(change.csc, change.running ? { beatingSince: change.at } : { lastBeat: change.at });
  }

  /**
   * The connectors stopped (the EFD freezes: the last heartbeats are now's) or came back (the backlog is
   * written, and the heartbeats are those of the CSCs as `records` says they are).
   */
  setFresh(fresh: boolean, records: Readonly<Record<string, CscRecord>>): void {
    if (fresh === this.fresh) return;
    const now = this.clock.now();
    this.fresh = fresh;
    if (!fresh) {
      this.staleSince = now;
      for (const [csc, e] of this.entries) {
        if (e.beatingSince !== undefined)
          this.writeBeat(csc, { lastBeat: lastBeatBefore(e.beatingSince, now) });
      }
      return;
    }
    const staleSince = this.staleSince ?? now;
    this.staleSince = undefined;
    for (const b of this.backlog) this.writeState(b.csc, b.state, b.at);
    this.backlog = [];
    for (const [csc, r] of Object.entries(records)) {
      if (r.running) {
        this.writeBeat(csc, { beatingSince: r.since });
        continue;
      }
      // Stopped while the EFD was stale: it beat until it stopped, which telegraf now writes.
      const last = this.entries.get(csc)?.lastBeat;
      if (r.since >= staleSince && (last === undefined || last < r.since))
        this.writeBeat(csc, { lastBeat: r.since });
    }
  }

  private writeState(csc: string, state: State, at: number): void {
    this.efd.setState(csc, state, at);
    this.entries.set(csc, { ...this.entries.get(csc), state, stateAt: at });
  }

  private writeBeat(csc: string, beat: { beatingSince?: number; lastBeat?: number }): void {
    const previous = this.entries.get(csc) ?? {};
    const lastBeat =
      beat.beatingSince !== undefined
        ? undefined
        : (beat.lastBeat ?? (previous.beatingSince !== undefined ? this.clock.now() : previous.lastBeat));
    const entry: EfdEntry = { state: previous.state, stateAt: previous.stateAt };
    if (beat.beatingSince !== undefined) entry.beatingSince = beat.beatingSince;
    if (lastBeat !== undefined) entry.lastBeat = lastBeat;
    this.entries.set(csc, entry);
    this.efd.restoreHeartbeat(csc, { beatingSince: beat.beatingSince, lastBeat });
  }
}

/** The last whole-second heartbeat of a CSC beating since `since`, at `now`. */
function lastBeatBefore(since: number, now: number): number {
  return since + Math.floor((now - since) / 1000) * 1000;
}
