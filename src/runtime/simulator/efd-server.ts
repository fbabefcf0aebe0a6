import type { CscState } from "../../ir/schema.js";
import type { Clock } from "../executor.js";
import { type DoubleRequest, type DoubleResponse, Events, HttpDouble } from "./http-double.js";
import { execute, InfluxQLError, type Point, parseQuery } from "./influxql-parser.js";

/**
 * A double of the EFD's InfluxDB 1.x query API over HTTP (`GET /query`, `/ping`), holding for each CSC its
 * summary state events (`lsst.sal.<Name>.logevent_summaryState`, field `summaryState`, tag `salIndex`)
 * and its heartbeats (`lsst.sal.<Name>.logevent_heartbeat`), one a second while it runs, on the injected
 * clock. It parses the statements it gets with the InfluxQL subset the runtime uses.
 */

type State = (typeof CscState)["options"][number];

const CODES: Readonly<Record<State, number>> = { DISABLED: 1, ENABLED: 2, FAULT: 3, OFFLINE: 4, STANDBY: 5 };

/** A change the EFD double saw: a new summary state, or heartbeats that started or stopped. */
export type EfdChange =
  | { readonly kind: "state"; readonly csc: string; readonly state: State | number; readonly at: number }
  | { readonly kind: "heartbeat"; readonly csc: string; readonly running: boolean; readonly at: number };

interface Csc {
  readonly name: string;
  readonly index?: number;
  readonly states: { at: number; code: number }[];
  beatingSince?: number;
  lastBeat?: number;
}

/** The double's clock, database, credentials and heartbeat period. */
export interface EfdServerOptions {
  readonly clock: Clock;
  /** The database name; default `efd`. */
  readonly database?: string;
  /** When given, queries need these (HTTP basic authentication, or `u` and `p` parameters). */
  readonly credentials?: { readonly username: string; readonly password: string };
  /** How often a running CSC sends a heartbeat; default 1 s. */
  readonly heartbeatPeriodMs?: number;
}

/** The EFD double. Emits `change` for every summary state and every start or stop of heartbeats. */
export class EfdServer extends HttpDouble {
  readonly events = new Events<{ change: EfdChange }>();
  private readonly cscs = new Map<string, Csc>();
  readonly database: string;

  constructor(private readonly options: EfdServerOptions) {
    super();
    this.database = options.database ?? "efd";
  }

  /** Records a summary state event of a CSC (`Name` or `Name:index`) now, or at `at`. */
  setState(csc: string, state: State | number, at = this.options.clock.now()): void {
    const code = typeof state === "number" ? state : CODES[state];
    const states = this.csc(csc).states;
    // As in InfluxDB, a point at the time of an earlier one of the same series replaces it.
    const same = states.findIndex((s) => s.at === at);
    if (same >= 0) states.splice(same, 1);
    states.push({ at, code });
    this.events.emit("change", { kind: "state", csc, state, at });
  }

  /** Starts or stops a CSC's heartbeats now. */
  setHeartbeat(csc: string, running: boolean): void {
    const c = this.csc(csc);
    const now = this.options.clock.now();
    if (running === (c.beatingSince !== undefined)) return;
    if (running) {
      c.beatingSince = now;
    } else {
      c.lastBeat = this.lastBeat(c);
      c.beatingSince = undefined;
    }
    this.events.emit("change", { kind: "heartbeat", csc, running, at: now });
  }

  /**
   * Sets a CSC's heartbeats as they were at another time, without an event: beating since `beatingSince`,
   * or stopped after a last heartbeat at `lastBeat` (none at all when both are absent). For a simulated
   * site that restores its EFD, or that writes the data telegraf catches up on after an outage.
   */
  restoreHeartbeat(
    csc: string,
    heartbeat: { readonly beatingSince?: number; readonly lastBeat?: number },
  ): void {
    const c = this.csc(csc);
    c.beatingSince = heartbeat.beatingSince;
    c.lastBeat = heartbeat.beatingSince === undefined ? heartbeat.lastBeat : undefined;
  }

  /** A CSC that starts: heartbeats and a summary state (default STANDBY). */
  startCsc(csc: string, state: State = "STANDBY"): void {
    this.setHeartbeat(csc, true);
    this.setState(csc, state);
  }

  /** A CSC that goes OFFLINE and exits; `reportsOffline: false` (the VMSs) exits without saying so. */
  stopCsc(csc: string, options: { readonly reportsOffline?: boolean } = {}): void {
    if (options.reportsOffline ?? true) this.setState(csc, "OFFLINE");
    this.setHeartbeat(csc, false);
  }

  /** The last state and whether it runs, as the double holds them. */
  cscState(csc: string): { readonly state?: number; readonly running: boolean } {
    const c = this.csc(csc);
    return { state: c.states.at(-1)?.code, running: c.beatingSince !== undefined };
  }

  protected handle(req: DoubleRequest): DoubleResponse {
    if (req.path === "/ping") return { status: 204 };
    if (req.path !== "/query") return { status: 404, text: "404 page not found\n" };
    if (req.method !== "GET" && req.method !== "POST")
      return { status: 405, json: { error: "method not allowed" } };
    const denied = this.authenticate(req);
    if (denied) return denied;
    const q = req.query.get("q");
    if (!q) return { status: 400, json: { error: 'missing required parameter "q"' } };
    let statements: ReturnType<typeof parseQuery>;
    try {
      statements = parseQuery(q);
    } catch (e) {
      if (e instanceof InfluxQLError)
        return { status: 400, json: { error: `error parsing query: ${e.message}` } };
      throw e;
    }
    const now = this.options.clock.now();
    const epochMs = req.query.get("epoch") === "ms";
    const results = statements.map((s, statement_id) => {
      const db = s.source.database ?? req.query.get("db");
      if (!db) return { statement_id, error: "database name required" };
      if (db !== this.database) return { statement_id, error: `database not found: ${db}` };
      const series = execute(s, this.points(s.source.measurement, now), now);
      if (!series) return { statement_id };
      const values = series.rows.map((r) => [epochMs ? r.time : new Date(r.time).toISOString(), ...r.values]);
      return { statement_id, series: [{ name: s.source.measurement, columns: series.columns, values }] };
    });
    return { status: 200, json: { results } };
  }

  private authenticate(req: DoubleRequest): DoubleResponse | undefined {
    const c = this.options.credentials;
    if (!c) return undefined;
    let user = req.query.get("u");
    let pass = req.query.get("p");
    const header = req.headers.authorization ?? "";
    if (header.startsWith("Basic ")) {
      const decoded = Buffer.from(header.slice(6), "base64").toString("utf8");
      const colon = decoded.indexOf(":");
      user = decoded.slice(0, colon);
      pass = decoded.slice(colon + 1);
    }
    if (user === null || user === undefined)
      return { status: 401, json: { error: "unable to parse authentication credentials" } };
    if (user !== c.username || pass !== c.password)
      return { status: 401, json: { error: "authorization failed" } };
    return undefined;
  }

  /** The points of a measurement now: every summary state event, the last heartbeat of each CSC. */
  private points(measurement: string, now: number): Point[] {
    const m = /^lsst\.sal\.(.+)\.(logevent_summaryState|logevent_heartbeat)$/.exec(measurement);
    if (!m) return [];
    const points: Point[] = [];
    for (const c of this.cscs.values()) {
      if (c.name !== m[1]) continue;
      const tags: Record<string, string> = c.index === undefined ? {} : { salIndex: String(c.index) };
      if (m[2] === "logevent_summaryState") {
        for (const s of c.states) {
          points.push({ time: s.at, tags, fields: { summaryState: s.code, private_sndStamp: s.at / 1000 } });
        }
        continue;
      }
      const last = this.lastBeat(c, now);
      if (last !== undefined)
        points.push({ time: last, tags, fields: { private_origin: 1, private_sndStamp: last / 1000 } });
    }
    return points;
  }

  private lastBeat(c: Csc, now = this.options.clock.now()): number | undefined {
    if (c.beatingSince === undefined) return c.lastBeat;
    const period = this.options.heartbeatPeriodMs ?? 1000;
    return c.beatingSince + Math.floor((now - c.beatingSince) / period) * period;
  }

  private csc(label: string): Csc {
    const m = /^([A-Za-z][A-Za-z0-9_]*)(?::(\d+))?$/.exec(label);
    if (!m) throw new Error(`not a CSC: ${label}`);
    let c = this.cscs.get(label);
    if (!c) {
      c = { name: m[1]!, index: m[2] === undefined ? undefined : Number(m[2]), states: [] };
      this.cscs.set(label, c);
    }
    return c;
  }
}
