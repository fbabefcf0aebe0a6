import type { Plan } from "../../src/ir/schema.js";

/**
 * A normal form in which what a dry run promises and what the doubles of a simulated site received can be
 * compared, system by system (Kubernetes, Argo CD, the schema registry; Kafka by its API names).
 *
 * A dry run's step lines name HTTP calls as `METHOD <url or path>`: each becomes a slot of the step's
 * expected sequence, to be met once, or one or more times when the line waits (`then …`, `… every …`,
 * `… until …`) or repeats for each deployment (`<name>` in the path); a waiting line that names a second
 * call in parentheses (the pods of a deployment scaled to 0) makes that call another alternative of the
 * same slot. `<name>`, `<its selector>` and a leading `...` match anything. Queries are compared as
 * decoded parameters, a promised parameter must be there with that value, and no other may be. Logins to
 * Argo CD are left out on both sides (a simulated run uses a token), and so is the run's lock (a Lease).
 */

export type System = "kubernetes" | "argocd" | "registry";

export interface Call {
  readonly method: string;
  readonly path: string;
  readonly query: Readonly<Record<string, string>>;
}

interface Pattern {
  readonly method: string;
  readonly path: RegExp;
  /** Parameters and values; "*" for any value. */
  readonly query: Readonly<Record<string, string>>;
  readonly text: string;
}

export interface Slot {
  readonly step: string;
  readonly patterns: readonly Pattern[];
  readonly repeat: "once" | "some";
}

const CALL = /\b(GET|POST|PUT|PATCH|DELETE) (\S+)/g;

/** The expected slots of each system, from a dry run's lines, in the order the dry run lists the steps. */
export function promisedCalls(plan: Plan, dryRunLines: readonly string[]): Record<System, Slot[]> {
  const out: Record<System, Slot[]> = { kubernetes: [], argocd: [], registry: [] };
  let step = "";
  for (const line of dryRunLines) {
    const header = /^(\S+) {2}/.exec(line);
    if (header) {
      step = header[1]!;
      continue;
    }
    const text = line.trim();
    const matches = [...text.matchAll(CALL)];
    if (matches.length === 0) continue;
    const repeat = /^then |\bevery\b|\buntil\b|for each deployment/.test(text) ? "some" : "once";
    const bySystem = new Map<System, Pattern[]>();
    for (const m of matches) {
      const parsed = parseTarget(plan, m[1]!, m[2]!.replace(/[,)]+$/, ""));
      if (!parsed) continue;
      bySystem.set(parsed.system, [...(bySystem.get(parsed.system) ?? []), parsed.pattern]);
    }
    for (const [system, patterns] of bySystem) out[system].push({ step, patterns, repeat });
  }
  return out;
}

function parseTarget(
  plan: Plan,
  method: string,
  target: string,
): { system: System; pattern: Pattern } | undefined {
  let system: System;
  let path: string;
  let query: string;
  if (/^https?:\/\//.test(target)) {
    const url = new URL(target);
    const base = (u: string | undefined) => (u ? new URL(u).origin : undefined);
    if (url.origin === base(plan.site.argocd?.url)) system = "argocd";
    else if (url.origin === base(plan.site.schemaRegistry?.url)) system = "registry";
    else return undefined;
    path = decodeURIComponent(url.pathname);
    query = [...url.searchParams].map(([k, v]) => `${k}=${v}`).join("&");
  } else if (target.startsWith("/api") || target.startsWith("...")) {
    system = "kubernetes";
    [path, query = ""] = splitOnce(target, "?");
  } else return undefined;
  if (system === "argocd" && path.endsWith("/api/v1/session")) return undefined;
  const regex = new RegExp(
    `^${path
      .split(/(<[^>]+>|^\.\.\.)/)
      .map((part) => (part === "..." ? ".*" : part.startsWith("<") ? "[^/]+" : escapeRegex(part)))
      .join("")}$`,
  );
  const params: Record<string, string> = {};
  for (const p of query.split("&").filter(Boolean)) {
    const [k, v = ""] = splitOnce(p, "=");
    params[k] = v.startsWith("<") ? "*" : v;
  }
  return { system, pattern: { method, path: regex, query: params, text: `${method} ${target}` } };
}

function splitOnce(text: string, on: string): [string, string] {
  const i = text.indexOf(on);
  return i < 0 ? [text, ""] : [text.slice(0, i), text.slice(i + 1)];
}

function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

function fits(p: Pattern, c: Call): boolean {
  if (p.method !== c.method || !p.path.test(c.path)) return false;
  const keys = new Set([...Object.keys(p.query), ...Object.keys(c.query)]);
  for (const k of keys) {
    const want = p.query[k];
    if (want === undefined || c.query[k] === undefined) return false;
    if (want !== "*" && want !== c.query[k]) return false;
  }
  return true;
}

/**
 * Whether the calls, in order, are exactly the slots: each `once` slot one call, each `some` slot one or
 * more, nothing left over. Returns where they part when they do not.
 */
export function matchCalls(
  slots: readonly Slot[],
  calls: readonly Call[],
): { ok: true } | { ok: false; where: string } {
  const memo = new Map<string, boolean>();
  let furthest = { slot: 0, call: 0 };
  const go = (s: number, c: number): boolean => {
    if (s > furthest.slot || (s === furthest.slot && c > furthest.call)) furthest = { slot: s, call: c };
    if (s === slots.length) return c === calls.length;
    const key = `${s}:${c}`;
    const known = memo.get(key);
    if (known !== undefined) return known;
    const slot = slots[s]!;
    let ok = false;
    if (c < calls.length && slot.patterns.some((p) => fits(p, calls[c]!))) {
      ok = go(s + 1, c + 1) || (slot.repeat === "some" && go(s, c + 1));
    }
    memo.set(key, ok);
    return ok;
  };
  if (go(0, 0)) return { ok: true };
  const slot = slots[furthest.slot];
  const call = calls[furthest.call];
  return {
    ok: false,
    where:
      `after ${furthest.call} of ${calls.length} calls: ` +
      `expected ${slot ? `${slot.patterns.map((p) => p.text).join(" or ")} (step ${slot.step})` : "no more calls"}, ` +
      `got ${call ? `${call.method} ${call.path}${Object.keys(call.query).length ? `?${new URLSearchParams(call.query as Record<string, string>)}` : ""}` : "no more calls"}`,
  };
}

/** The Kafka APIs a dry run names for its lag steps. */
export function promisedKafkaApis(dryRunLines: readonly string[]): Set<string> {
  const names = [
    "ApiVersions",
    "Metadata",
    "ListGroups",
    "FindCoordinator",
    "DescribeGroups",
    "OffsetFetch",
    "ListOffsets",
  ];
  const text = dryRunLines.join("\n");
  return new Set(names.filter((n) => new RegExp(`\\b${n}\\b`).test(text)));
}
