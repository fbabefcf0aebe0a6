import type http from "node:http";
import type { CscState, PlanSite } from "../../ir/schema.js";
import type { Secrets } from "../executor.js";
import {
  createAgent,
  displayUrl,
  type HttpTarget,
  httpError,
  joinUrl,
  requestJson,
  ServiceError,
} from "./http-json.js";
import { durationSeconds, quoteIdent, quoteString } from "./influxql.js";

/**
 * The EFD (Engineering and Facility Database, InfluxDB 1.x) of a site, read through its HTTP query API
 * (`GET /query?db=...&q=...`): the last summary state and the last heartbeat of CSCs, many at a time.
 */

type State = (typeof CscState)["options"][number];

/** ts_xml's `State` enum, the value of `summaryState` in `logevent_summaryState`. */
export const SUMMARY_STATES: Readonly<Record<number, State>> = {
  1: "DISABLED",
  2: "ENABLED",
  3: "FAULT",
  4: "OFFLINE",
  5: "STANDBY",
};

/** A CSC: its SAL name and, for an indexed component, its index (`MTHexapod:1`). */
export interface CscRef {
  readonly name: string;
  readonly index?: number;
}

/**
 * Reads `Name` or `Name:index`. Throws a ServiceError (a StepFailure) for anything else, so that a name
 * that is not a SAL name never reaches a query.
 */
export function parseCsc(text: string): CscRef {
  const m = /^([A-Za-z][A-Za-z0-9_]*)(?::(\d{1,9}))?$/.exec(text.trim());
  if (!m)
    throw new ServiceError(
      `\`${text}\` is not a CSC (\`Name\` or \`Name:index\`)`,
      "fix the CSC in the plan",
      false,
    );
  return m[2] === undefined ? { name: m[1]! } : { name: m[1]!, index: Number(m[2]) };
}

/** `MTHexapod:1`, `Watcher`. */
export function cscLabel(csc: CscRef): string {
  return csc.index === undefined ? csc.name : `${csc.name}:${csc.index}`;
}

/** The last summary state the EFD has of a CSC. */
export interface SummaryStateReading {
  /** The state, or undefined for a value that is not in ts_xml's enum. */
  readonly state?: State;
  readonly code: number;
  /** When it was sent, in milliseconds since the epoch. */
  readonly at: number;
}

/** What the EFD says of one CSC: its last summary state, and its last heartbeat in the window asked for. */
export interface CscReading {
  /** Undefined when the EFD has no summary state of it. */
  readonly state?: SummaryStateReading;
  /** When its last heartbeat was sent (ms since the epoch); undefined when none arrived in the window. */
  readonly heartbeatAt?: number;
}

/** The EFD of a site. Every method rejects with a ServiceError (a StepFailure) whose message has no secret. */
export interface EfdClient {
  readonly url: string;
  readonly database: string;
  /**
   * Reads, for each CSC in the order given, its last summary state and its last heartbeat of the last
   * `heartbeatWithinSeconds` seconds of the EFD's own clock: two statements a CSC, sent in as few GET
   * requests as fit (STATEMENTS_PER_REQUEST a request), one after the other.
   */
  readCscs(
    cscs: readonly CscRef[],
    heartbeatWithinSeconds: number,
    signal?: AbortSignal,
  ): Promise<CscReading[]>;
  close(): void;
}

/** The measurement of a CSC's topic: `lsst.sal.<Name>.<topic>`. */
export function measurement(csc: CscRef, topic: string): string {
  return `lsst.sal.${csc.name}.${topic}`;
}

// NOTE: the EFD's own queries (lsst-efd-client, Rubin's notebooks) compare salIndex with an integer, as a
// field, while the Sasquatch connectors may also write it as a tag (a string). Both are matched, so the
// query holds whichever way a site's connector stores it; the other comparison is simply false.
function indexCondition(csc: CscRef): string | undefined {
  if (csc.index === undefined) return undefined;
  return `(${quoteIdent("salIndex")} = ${csc.index} OR ${quoteIdent("salIndex")} = ${quoteString(String(csc.index))})`;
}

/** The statement that reads the last summary state of a CSC. */
export function summaryStateQuery(csc: CscRef): string {
  const where = indexCondition(csc);
  return (
    `SELECT ${quoteIdent("summaryState")} FROM ${quoteIdent(measurement(csc, "logevent_summaryState"))}` +
    `${where ? ` WHERE ${where}` : ""} ORDER BY time DESC LIMIT 1`
  );
}

/** The statement that reads a CSC's last heartbeat of the last `withinSeconds` seconds. */
export function heartbeatQuery(csc: CscRef, withinSeconds: number): string {
  const where = [`time > now() - ${durationSeconds(withinSeconds)}`, indexCondition(csc)]
    .filter(Boolean)
    .join(" AND ");
  return `SELECT * FROM ${quoteIdent(measurement(csc, "logevent_heartbeat"))} WHERE ${where} ORDER BY time DESC LIMIT 1`;
}

/** How many statements go in one GET, to keep its URL well under the usual 8 KB limit of proxies. */
export const STATEMENTS_PER_REQUEST = 20;

/** The EFD client over node's http/https. */
export class HttpEfdClient implements EfdClient {
  private readonly base: URL;
  private readonly agent: http.Agent;
  private readonly target: HttpTarget;
  private readonly authorization?: string;

  constructor(
    readonly url: string,
    readonly database: string,
    options: {
      readonly credentials?: { readonly username: string; readonly password: string };
      readonly timeoutMs?: number;
    } = {},
  ) {
    try {
      this.base = new URL(url);
    } catch {
      throw new ServiceError(`\`${url}\` is not a URL`, "fix the EFD URL in the site file", false);
    }
    this.agent = createAgent(this.base);
    const c = options.credentials;
    if (c) this.authorization = `Basic ${Buffer.from(`${c.username}:${c.password}`).toString("base64")}`;
    this.target = {
      service: "the EFD",
      agent: this.agent,
      timeoutMs: options.timeoutMs ?? 30_000,
      secrets: () => (c ? [c.password, this.authorization!.slice(6)] : []),
    };
  }

  async readCscs(
    cscs: readonly CscRef[],
    heartbeatWithinSeconds: number,
    signal?: AbortSignal,
  ): Promise<CscReading[]> {
    const statements = cscs.flatMap((c) => [summaryStateQuery(c), heartbeatQuery(c, heartbeatWithinSeconds)]);
    const rows = await this.lastRows(statements, signal);
    return cscs.map((_, i) => {
      const state = rows[2 * i];
      const beat = rows[2 * i + 1];
      const code = state?.values.summaryState;
      return {
        state:
          state && typeof code === "number" && typeof state.time === "number"
            ? { state: SUMMARY_STATES[code], code, at: state.time }
            : undefined,
        heartbeatAt: beat && typeof beat.time === "number" ? beat.time : undefined,
      };
    });
  }

  close(): void {
    this.agent.destroy();
  }

  /** Runs statements, a batch per request, and returns the first row of each (undefined: no row). */
  private async lastRows(statements: readonly string[], signal?: AbortSignal) {
    const rows: ({ time: unknown; values: Record<string, unknown> } | undefined)[] = [];
    for (let i = 0; i < statements.length; i += STATEMENTS_PER_REQUEST) {
      const batch = statements.slice(i, i + STATEMENTS_PER_REQUEST);
      rows.push(...(await this.query(batch, signal)));
    }
    return rows;
  }

  private async query(statements: readonly string[], signal?: AbortSignal) {
    const url = joinUrl(this.base, "/query", { db: this.database, epoch: "ms", q: statements.join(";") });
    const headers: Record<string, string> = this.authorization ? { authorization: this.authorization } : {};
    const shownAs = joinUrl(this.base, "/query", { db: this.database });
    const res = await requestJson(this.target, { method: "GET", url, headers, signal, shownAs });
    const where = `GET ${displayUrl(shownAs)}`;
    const body = (res.body ?? {}) as { error?: unknown; results?: unknown };
    if (res.status >= 400) throw httpError(this.target, where, res.status, str(body.error));
    if (!Array.isArray(body.results))
      throw new ServiceError(`the EFD answered ${where} without results`, undefined, false);
    const results = body.results as { statement_id?: number; error?: unknown; series?: unknown }[];
    return statements.map((_, i) => {
      const result = results.find((r) => r.statement_id === i) ?? results[i];
      if (result?.error !== undefined) {
        throw new ServiceError(
          `the EFD refused a query of database \`${this.database}\`: ${str(result.error)}`,
          "check the EFD URL and database in the site file",
          false,
        );
      }
      const series = Array.isArray(result?.series)
        ? (result.series as { columns?: unknown; values?: unknown }[])
        : [];
      const first = series[0];
      if (
        !first ||
        !Array.isArray(first.columns) ||
        !Array.isArray(first.values) ||
        first.values.length === 0
      ) {
        return undefined;
      }
      const columns = first.columns as string[];
      const row = first.values[0] as unknown[];
      const values: Record<string, unknown> = {};
      columns.forEach((c, k) => {
        values[c] = row[k];
      });
      return { time: values.time, values };
    });
  }
}

/**
 * The client of a site's EFD, or undefined when the site gives none. Credentials, when the EFD needs
 * them, are read through `secrets` from the variables named in `auth`.
 */
export function createEfdClient(
  site: PlanSite,
  secrets: Secrets,
  options: { readonly auth?: { usernameEnv: string; passwordEnv: string }; readonly timeoutMs?: number } = {},
): EfdClient | undefined {
  if (!site.efd) return undefined;
  // The plan's site names the variables; `options.auth` overrides them (tests).
  const auth =
    options.auth ??
    (site.efd.usernameEnv && site.efd.passwordEnv
      ? { usernameEnv: site.efd.usernameEnv, passwordEnv: site.efd.passwordEnv }
      : undefined);
  const username = auth ? secrets.get(auth.usernameEnv) : undefined;
  const password = auth ? secrets.get(auth.passwordEnv) : undefined;
  return new HttpEfdClient(site.efd.url, site.efd.database, {
    timeoutMs: options.timeoutMs,
    credentials: username && password ? { username, password } : undefined,
  });
}

function str(value: unknown): string | undefined {
  return typeof value === "string" ? value : value === undefined ? undefined : JSON.stringify(value);
}
