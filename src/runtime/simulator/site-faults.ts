import type { PlanSite } from "../../ir/schema.js";

/**
 * Faults to rehearse failure on a simulated site (`plan run --simulate --faults <spec>`, `plan simulate
 * --faults <spec>`). A spec is a comma-separated list of `kind=value`; the option may be repeated, and a
 * kind may appear several times:
 *
 * | fault                    | what the site does                                                              |
 * | ------------------------ | ------------------------------------------------------------------------------- |
 * | `csc-fault=<CSC>`        | the CSC goes to FAULT instead of any state it is sent to or starts in           |
 * | `app-degraded=<app>`     | the Argo CD application syncs, then stays Degraded instead of Healthy           |
 * | `app-sync-failed=<app>`  | the Argo CD application's sync operation fails                                  |
 * | `broker-down=<duration>` | Kafka is unreachable for that long (site time: `90s`, `2m`, `1h`) from the first |
 * |                          | time the run reads consumer lag                                                 |
 * | `lag-stuck=<prefix>`     | the consumer groups whose id starts with the prefix stop consuming: their lag    |
 * |                          | never drains                                                                    |
 * | `ssh-refuse=<host>`      | the host refuses ssh connections (its ssh server is down)                       |
 *
 * Faults hold for one session of the site: leave one out when resuming (`--resume` without it) and it is
 * cleared: the CSC is recovered to the state it should have reached, the application syncs normally next
 * time, the broker answers, the lag drains, the host lets ssh in.
 */
export interface SiteFaults {
  readonly cscs: readonly string[];
  readonly degraded: readonly string[];
  readonly syncFailed: readonly string[];
  /** How long Kafka stays unreachable from the first lag read, in ms of site time. */
  readonly brokerDownMs?: number;
  readonly lagStuck: readonly string[];
  readonly sshRefused: readonly string[];
}

export const NO_FAULTS: SiteFaults = { cscs: [], degraded: [], syncFailed: [], lagStuck: [], sshRefused: [] };

export type FaultsResult =
  | { readonly ok: true; readonly faults: SiteFaults }
  | { readonly ok: false; readonly problem: string };

const KINDS = [
  "csc-fault",
  "app-degraded",
  "app-sync-failed",
  "broker-down",
  "lag-stuck",
  "ssh-refuse",
] as const;

/**
 * Reads fault specs and checks them against the site: an unknown kind, a CSC, application or host the site
 * does not have, or a duration that is not one is refused with what to write instead.
 */
export function parseFaults(specs: readonly string[], site: PlanSite): FaultsResult {
  const faults = {
    cscs: [] as string[],
    degraded: [] as string[],
    syncFailed: [] as string[],
    lagStuck: [] as string[],
    sshRefused: [] as string[],
    brokerDownMs: undefined as number | undefined,
  };
  const items = specs
    .flatMap((s) => s.split(","))
    .map((s) => s.trim())
    .filter(Boolean);
  for (const item of items) {
    const eq = item.indexOf("=");
    const kind = eq < 0 ? item : item.slice(0, eq);
    const value = eq < 0 ? "" : item.slice(eq + 1).trim();
    if (!(KINDS as readonly string[]).includes(kind)) {
      return {
        ok: false,
        problem: `unknown fault \`${kind}\`: the faults are ${KINDS.map((k) => `${k}=`).join(", ")}`,
      };
    }
    if (!value)
      return { ok: false, problem: `the fault \`${kind}\` needs a value: \`${kind}=<${what(kind)}>\`` };
    const refuse = (names: readonly string[], noun: string): FaultsResult | undefined =>
      names.includes(value)
        ? undefined
        : {
            ok: false,
            problem: `site ${site.name} has no ${noun} \`${value}\` (${kind}=)${near(value, names)}`,
          };
    switch (kind) {
      case "csc-fault": {
        const bad = refuse(
          site.cscs.map((c) => c.id),
          "CSC",
        );
        if (bad) return bad;
        faults.cscs.push(value);
        break;
      }
      case "app-degraded":
      case "app-sync-failed": {
        const bad = refuse(
          site.apps.map((a) => a.name),
          "Argo CD application",
        );
        if (bad) return bad;
        (kind === "app-degraded" ? faults.degraded : faults.syncFailed).push(value);
        break;
      }
      case "ssh-refuse": {
        const bad = refuse(
          site.hosts.map((h) => h.name),
          "host",
        );
        if (bad) return bad;
        faults.sshRefused.push(value);
        break;
      }
      case "lag-stuck":
        faults.lagStuck.push(value);
        break;
      case "broker-down": {
        const ms = parseDuration(value);
        if (ms === undefined)
          return {
            ok: false,
            problem: `broker-down=${value}: not a duration (write it like 90s, 2m or 1h30m)`,
          };
        faults.brokerDownMs = ms;
        break;
      }
    }
  }
  return { ok: true, faults };
}

/** The faults in the spec's own words, for notices: `csc-fault=ATDome, broker-down=2m`. */
export function describeFaults(faults: SiteFaults): string {
  const parts = [
    ...faults.cscs.map((c) => `csc-fault=${c}`),
    ...faults.degraded.map((a) => `app-degraded=${a}`),
    ...faults.syncFailed.map((a) => `app-sync-failed=${a}`),
    ...(faults.brokerDownMs !== undefined ? [`broker-down=${faults.brokerDownMs / 1000}s`] : []),
    ...faults.lagStuck.map((p) => `lag-stuck=${p}`),
    ...faults.sshRefused.map((h) => `ssh-refuse=${h}`),
  ];
  return parts.length > 0 ? parts.join(", ") : "none";
}

/** `90s`, `2m`, `1h30m`, `500ms` in ms; undefined when it is not a duration. */
export function parseDuration(text: string): number | undefined {
  const units: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };
  const parts = [...text.matchAll(/(\d+)(ms|s|m|h|d)/g)];
  if (parts.length === 0 || parts.map((p) => p[0]).join("") !== text) return undefined;
  return parts.reduce((sum, p) => sum + Number(p[1]) * units[p[2]!]!, 0);
}

function what(kind: string): string {
  return (
    {
      "csc-fault": "CSC",
      "app-degraded": "app",
      "app-sync-failed": "app",
      "broker-down": "duration",
      "lag-stuck": "group prefix",
      "ssh-refuse": "host",
    }[kind] ?? "value"
  );
}

function near(value: string, names: readonly string[]): string {
  const lower = value.toLowerCase();
  const close = names
    .filter((n) => n.toLowerCase().includes(lower) || lower.includes(n.toLowerCase()))
    .slice(0, 3);
  return close.length > 0 ? `; did you mean ${close.map((c) => `\`${c}\``).join(" or ")}?` : "";
}
