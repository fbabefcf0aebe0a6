import type { KubeCluster } from "./kube-cluster.js";
import { DEPLOYMENTS, JOBS, type KubeObject, NAMESPACES, PODS, type ResourceType } from "./kube-objects.js";
import { STRIMZI_KAFKA } from "./kube-site.js";
import { KubeHttpError } from "./kube-status.js";
import { isReady } from "./kube-workloads.js";
import { parseSelector, SelectorSyntaxError } from "./label-selector.js";

/**
 * The part of kubectl that the procedures use, done on the simulated site's cluster (what the `kubectl`
 * shim of a simulated run does): `get`, `delete`, `scale`, `annotate` of pods, jobs, deployments,
 * namespaces and Strimzi `kafka`s, with `-n`, `-l`/`--selector`, `--all`, `-A`, `-o name`; and `config
 * use-context`, `current-context`, `get-contexts`. Changes go through the cluster's API semantics, so the
 * site reacts as to the runtime's own calls. Anything else is refused (exit 1) naming what is simulated,
 * never pretended.
 */

export interface KubectlSite {
  readonly cluster: KubeCluster;
  /** The site's context, the only one its kubeconfig has. */
  readonly context: string;
  currentContext(): string;
  useContext(context: string): void;
}

export interface Reply {
  readonly stdout: string;
  readonly stderr: string;
  readonly exitCode: number;
}

const reply = (stdout: string, exitCode = 0, stderr = ""): Reply => ({ stdout, stderr, exitCode });
const error = (message: string, exitCode = 1): Reply => ({
  stdout: "",
  stderr: `error: ${message}\n`,
  exitCode,
});

const TYPES: Record<string, ResourceType | typeof STRIMZI_KAFKA> = {
  pod: PODS,
  pods: PODS,
  po: PODS,
  job: JOBS,
  jobs: JOBS,
  deployment: DEPLOYMENTS,
  deployments: DEPLOYMENTS,
  deploy: DEPLOYMENTS,
  namespace: NAMESPACES,
  namespaces: NAMESPACES,
  ns: NAMESPACES,
  kafka: STRIMZI_KAFKA,
  kafkas: STRIMZI_KAFKA,
};

interface Parsed {
  readonly words: string[];
  namespace?: string;
  selector?: string;
  all: boolean;
  allNamespaces: boolean;
  output?: string;
  replicas?: number;
  overwrite: boolean;
}

export function kubectl(args: readonly string[], site: KubectlSite): Reply {
  const parsed = parseArgs(args);
  if (typeof parsed === "string") return error(parsed);
  const [verb, ...rest] = parsed.words;
  try {
    switch (verb) {
      case "config":
        return config(rest, site);
      case "get":
        return get(rest, parsed, site.cluster);
      case "delete":
        return remove(rest, parsed, site.cluster);
      case "scale":
        return scale(rest, parsed, site.cluster);
      case "annotate":
        return annotate(rest, parsed, site.cluster);
      case undefined:
        return error("the simulated site's kubectl needs a command (get, delete, scale, annotate, config)");
      default:
        return error(
          `the simulated site's kubectl does not do \`${verb}\` (only get, delete, scale, annotate, config)`,
        );
    }
  } catch (e) {
    if (e instanceof KubeHttpError)
      return {
        stdout: "",
        stderr: `Error from server (${e.status.reason}): ${e.status.message}\n`,
        exitCode: 1,
      };
    if (e instanceof SelectorSyntaxError) return error(`unable to parse requirement: ${e.message}`);
    throw e;
  }
}

function parseArgs(args: readonly string[]): Parsed | string {
  const p: Parsed = { words: [], all: false, allNamespaces: false, overwrite: false };
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    const [flag, inline] =
      a.startsWith("--") && a.includes("=")
        ? [a.slice(0, a.indexOf("=")), a.slice(a.indexOf("=") + 1)]
        : [a, undefined];
    const value = () => inline ?? args[++i];
    switch (flag) {
      case "-n":
      case "--namespace":
        p.namespace = value();
        break;
      case "-l":
      case "--selector":
        p.selector = value();
        break;
      case "-o":
      case "--output":
        p.output = value();
        break;
      case "--replicas": {
        const n = Number(value());
        if (!Number.isInteger(n) || n < 0) return "--replicas must be a whole number of at least 0";
        p.replicas = n;
        break;
      }
      case "--all":
        p.all = true;
        break;
      case "-A":
      case "--all-namespaces":
        p.allNamespaces = true;
        break;
      case "--overwrite":
        p.overwrite = true;
        break;
      case "--context":
      case "--kubeconfig":
      case "--cascade":
      case "--wait":
      case "--timeout":
        if (inline === undefined && !["--wait"].includes(flag)) i++;
        break;
      default:
        if (a.startsWith("-") && a !== "-")
          return `the simulated site's kubectl does not know the option ${a}`;
        p.words.push(a);
    }
  }
  return p;
}

function config(rest: string[], site: KubectlSite): Reply {
  const [sub, name] = rest;
  if (sub === "current-context") return reply(`${site.currentContext()}\n`);
  if (sub === "get-contexts") return reply(`CURRENT   NAME\n*         ${site.context}\n`);
  if (sub === "use-context") {
    if (!name) return error("you must specify a context name");
    if (name !== site.context) return error(`no context exists with the name: "${name}"`);
    site.useContext(name);
    return reply(`Switched to context "${name}".\n`);
  }
  return error(`the simulated site's kubectl config does not do \`${sub ?? ""}\``);
}

/** `deploy/name` or `deploy name1 name2`: the type and the names. */
function target(rest: string[]): { type: ResourceType; names: string[] } | string {
  const [first, ...names] = rest;
  if (!first) return "you must specify the type of resource";
  const [kind, slashName] = first.includes("/") ? first.split("/", 2) : [first, undefined];
  const type = TYPES[kind!.toLowerCase()];
  if (!type)
    return `the server doesn't have a resource type "${kind}" (the simulated site's kubectl knows pods, jobs, deployments, namespaces, kafkas)`;
  return { type: type as ResourceType, names: slashName ? [slashName, ...names] : names };
}

function resolveType(cluster: KubeCluster, type: ResourceType): ResourceType {
  return cluster.typeOf(type.group, type.version, type.plural) ?? type;
}

function selected(cluster: KubeCluster, type: ResourceType, p: Parsed, names: string[]): KubeObject[] {
  const ns = type.namespaced ? (p.allNamespaces ? undefined : (p.namespace ?? "default")) : undefined;
  if (names.length > 0) return names.map((n) => cluster.apiGet(type, ns, n));
  return cluster.apiList(type, ns, parseSelector(p.selector ?? ""));
}

function get(rest: string[], p: Parsed, cluster: KubeCluster): Reply {
  const t = target(rest);
  if (typeof t === "string") return error(t);
  const type = resolveType(cluster, t.type);
  const objects = selected(cluster, type, p, t.names);
  if (p.output === "name")
    return reply(objects.map((o) => `${shortKind(type)}/${o.metadata.name}\n`).join(""));
  if (p.output !== undefined && p.output !== "wide")
    return error(`the simulated site's kubectl prints -o name or a table, not -o ${p.output}`);
  if (objects.length === 0) {
    const where = type.namespaced && !p.allNamespaces ? ` in ${p.namespace ?? "default"} namespace` : "";
    return { stdout: "", stderr: `No resources found${where}.\n`, exitCode: 0 };
  }
  const rows = objects.map((o) => row(type, o, p.allNamespaces));
  const header = headerOf(type, p.allNamespaces);
  return reply(table([header, ...rows]));
}

function remove(rest: string[], p: Parsed, cluster: KubeCluster): Reply {
  const t = target(rest);
  if (typeof t === "string") return error(t);
  if (t.names.length === 0 && !p.all && p.selector === undefined)
    return error("resource(s) were provided, but no name was specified");
  const type = resolveType(cluster, t.type);
  const ns = type.namespaced ? (p.namespace ?? "default") : undefined;
  const victims = selected(cluster, type, p, t.names);
  if (victims.length === 0) return { stdout: "", stderr: "No resources found\n", exitCode: 0 };
  const lines: string[] = [];
  for (const o of victims) {
    if (type === NAMESPACES) {
      for (const pod of cluster.apiList(PODS, o.metadata.name, []))
        cluster.apiDelete(PODS, o.metadata.name, pod.metadata.name);
    }
    cluster.apiDelete(type, ns, o.metadata.name, { propagationPolicy: "Background" });
    lines.push(`${subject(type)} "${o.metadata.name}" deleted\n`);
  }
  return reply(lines.join(""));
}

function scale(rest: string[], p: Parsed, cluster: KubeCluster): Reply {
  const t = target(rest);
  if (typeof t === "string") return error(t);
  if (t.type !== DEPLOYMENTS) return error("the simulated site's kubectl scales deployments only");
  if (p.replicas === undefined) return error('required flag(s) "replicas" not set');
  if (t.names.length === 0 && p.selector === undefined && !p.all)
    return error("resource(s) were provided, but no name was specified");
  const ns = p.namespace ?? "default";
  const lines = selected(cluster, DEPLOYMENTS, p, t.names).map((d) => {
    cluster.apiPatchScale(ns, d.metadata.name, (s) => ({ ...s, spec: { replicas: p.replicas } }));
    return `deployment.apps/${d.metadata.name} scaled\n`;
  });
  return reply(lines.join(""));
}

function annotate(rest: string[], p: Parsed, cluster: KubeCluster): Reply {
  const pairs = rest.filter((w) => /=|-$/.test(w) && !w.includes("/"));
  const t = target(rest.filter((w) => !pairs.includes(w)));
  if (typeof t === "string") return error(t);
  if (pairs.length === 0) return error("at least one annotation update is required");
  const type = resolveType(cluster, t.type);
  const ns = type.namespaced ? (p.namespace ?? "default") : undefined;
  const lines: string[] = [];
  for (const o of selected(cluster, type, p, t.names)) {
    const annotations = { ...(o.metadata.annotations ?? {}) };
    for (const pair of pairs) {
      if (pair.endsWith("-") && !pair.includes("=")) {
        delete annotations[pair.slice(0, -1)];
        continue;
      }
      const [key, value] = [pair.slice(0, pair.indexOf("=")), pair.slice(pair.indexOf("=") + 1)];
      if (annotations[key] !== undefined && annotations[key] !== value && !p.overwrite) {
        return error(
          `--overwrite is false but found the following declared annotation(s): '${key}' already has a value (${annotations[key]})`,
        );
      }
      annotations[key] = value;
    }
    cluster.apiPatch(type, ns, o.metadata.name, (current) => ({
      ...current,
      metadata: { ...current.metadata, annotations },
    }));
    lines.push(`${subject(type)}/${o.metadata.name} annotated\n`);
  }
  return reply(lines.join(""));
}

function shortKind(type: ResourceType): string {
  return type.group ? `${type.kind.toLowerCase()}.${type.group}` : type.kind.toLowerCase();
}

function subject(type: ResourceType): string {
  return type.group ? `${type.kind.toLowerCase()}.${type.group}` : type.kind.toLowerCase();
}

function headerOf(type: ResourceType, allNamespaces: boolean): string[] {
  const ns = allNamespaces && type.namespaced ? ["NAMESPACE"] : [];
  if (type === PODS) return [...ns, "NAME", "READY", "STATUS"];
  if (type === JOBS) return [...ns, "NAME", "STATUS", "COMPLETIONS"];
  if (type === DEPLOYMENTS) return [...ns, "NAME", "READY", "UP-TO-DATE", "AVAILABLE"];
  if (type === NAMESPACES) return ["NAME", "STATUS"];
  return [...ns, "NAME"];
}

function row(type: ResourceType, o: KubeObject, allNamespaces: boolean): string[] {
  const ns = allNamespaces && type.namespaced ? [o.metadata.namespace ?? ""] : [];
  const name = o.metadata.name;
  if (type === PODS) {
    const status = o.metadata.deletionTimestamp
      ? "Terminating"
      : o.status?.phase === "Succeeded"
        ? "Completed"
        : (o.status?.phase ?? "Unknown");
    return [...ns, name, isReady(o) ? "1/1" : "0/1", status];
  }
  if (type === JOBS) {
    const done = (o.status?.succeeded ?? 0) > 0;
    return [...ns, name, done ? "Complete" : "Running", done ? "1/1" : "0/1"];
  }
  if (type === DEPLOYMENTS) {
    const ready = o.status?.readyReplicas ?? 0;
    const desired = o.spec?.replicas ?? 1;
    return [
      ...ns,
      name,
      `${ready}/${desired}`,
      String(o.status?.updatedReplicas ?? 0),
      String(o.status?.availableReplicas ?? 0),
    ];
  }
  if (type === NAMESPACES) return [name, o.status?.phase ?? "Active"];
  return [...ns, name];
}

function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? "").length)));
  return rows
    .map((r) => `${r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]! + 3))).join("")}\n`)
    .join("");
}
