import type { KafkaClusterState } from "./kafka-state.js";
import type { KubeCluster } from "./kube-cluster.js";
import { DEPLOYMENTS, JOBS, NAMESPACES, PODS, type ResourceType } from "./kube-objects.js";
import { type KubectlSite, kubectl, type Reply } from "./kubectl-shim.js";
import { parseSelector } from "./label-selector.js";
import { INSTANCE_LABEL, LOVE, NUBLADO_USERS, type SiteLayout } from "./site-layout.js";

/**
 * The programs a procedure runs on the operator's machine, as the simulated site answers them (each one a
 * shim on the run's PATH, or in its working directory, that asks the site):
 * - `cleanup_all` (lsst-ts/k8s-admin): `kubectl delete job -n <ns> --all` for every namespace of the
 *   site's `telescope` Argo CD project (in `uws`, only `-l csc-class=ocps`); `--no-run` prints the commands;
 * - `cleanup_love` (lsst-ts/k8s-admin): deletes the deployments and jobs of LOVE's namespace
 *   (`--love-producers-only`: the deployments labelled `app.kubernetes.io/name=love-producer`);
 * - `cleanup_nublado` (lsst-ts/k8s-admin): deletes the namespaces labelled
 *   `argocd.argoproj.io/instance=nublado-users` (the user labs), with their pods;
 * - `kubectl`: see kubectl-shim.ts;
 * - `kt consumers <site> lag [--telegraf | --love-producer] [--summary]` (lsst-ts/kafka-tools): the lag of
 *   the consumer groups (`--telegraf`: ids starting with `telegraf`; `--love-producer`: ids containing
 *   `love-producer`);
 * - `docker`: the operator's machine runs no container of the site: `docker ps` lists none, anything else
 *   says the daemon cannot be reached.
 * `cleanup_all` and `cleanup_nublado` ask "y to proceed" on their standard input before deleting, as
 * k8s-admin's `helpers.acknowledge_deletion` does (cleanup_all @7b67703, cleanup_nublado @14cc626): at the end
 * of the input they fail as Python's `input()` does, and on any other answer they exit 255.
 */

export const LOCAL_PROGRAMS = [
  "cleanup_all",
  "cleanup_love",
  "cleanup_nublado",
  "kubectl",
  "kt",
  "docker",
] as const;
export type LocalProgram = (typeof LOCAL_PROGRAMS)[number];

export interface LocalSite extends KubectlSite {
  readonly layout: SiteLayout;
  readonly kafka: KafkaClusterState;
  /** The site's name for kafka-tools (`kt consumers summit ...`). */
  readonly kafkaSite: string;
}

export function isLocalProgram(name: string): name is LocalProgram {
  return (LOCAL_PROGRAMS as readonly string[]).includes(name);
}

export function runLocal(program: LocalProgram, args: readonly string[], site: LocalSite, input = ""): Reply {
  switch (program) {
    case "kubectl":
      return kubectl(args, site);
    case "cleanup_all":
      return args.includes("--no-run")
        ? cleanupAll(args, site)
        : acknowledged(site, input, () => cleanupAll(args, site));
    case "cleanup_love":
      return cleanupLove(args, site);
    case "cleanup_nublado":
      return acknowledged(site, input, () => cleanupNublado(args, site.cluster));
    case "kt":
      return kt(args, site);
    case "docker":
      return args[0] === "ps"
        ? {
            stdout: "CONTAINER ID   IMAGE     COMMAND   CREATED   STATUS    PORTS     NAMES\n",
            stderr: "",
            exitCode: 0,
          }
        : {
            stdout: "",
            stderr:
              "Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?\n",
            exitCode: 1,
          };
  }
}

/** k8s-admin's `acknowledge_deletion`: shows the kubectl context, reads a line, goes on only on `y`. */
function acknowledged(site: LocalSite, input: string, then: () => Reply): Reply {
  const context = site.currentContext();
  const prompt = `${context} resources to be deleted. Are you sure?\ny to proceed, any other key to exit: `;
  const newline = input.indexOf("\n");
  if (input === "") {
    return {
      stdout: prompt,
      stderr:
        'Traceback (most recent call last):\n  File "helpers.py", in acknowledge_deletion\n    response = input("y to proceed, any other key to exit: ")\nEOFError: EOF when reading a line\n',
      exitCode: 1,
    };
  }
  const answer = newline < 0 ? input : input.slice(0, newline);
  if (answer !== "y") return { stdout: `${prompt}Exiting\n`, stderr: "", exitCode: 255 };
  const done = then();
  return { ...done, stdout: `${prompt}Proceeding with ${context} resource deletion.\n${done.stdout}` };
}

function usage(program: string, options: string, problem: string): Reply {
  return {
    stdout: "",
    stderr: `usage: ${program} [-h] ${options}\n${program}: error: ${problem}\n`,
    exitCode: 2,
  };
}

function cleanupAll(args: readonly string[], site: LocalSite): Reply {
  const known = ["-d", "--clean-daemons", "--no-run", "--no-kp"];
  const bad = args.find((a) => !known.includes(a));
  if (bad) return usage("cleanup_all", "[-d] [--no-run] [--no-kp]", `unrecognized arguments: ${bad}`);
  const lines: string[] = [];
  for (const ns of site.layout.projectNamespaces("telescope")) {
    const selector = ns === "uws" ? "csc-class=ocps" : undefined;
    const command = `kubectl delete job -n ${ns} ${selector ? `-l ${selector}` : "--all"}`;
    if (args.includes("--no-run")) {
      lines.push(command);
      continue;
    }
    const gone = site.cluster.apiDeleteCollection(JOBS, ns, parseSelector(selector ?? ""), "Background");
    lines.push(
      ...(gone.length > 0
        ? gone.map((j) => `job.batch "${j.metadata.name}" deleted`)
        : [`No resources found in ${ns} namespace.`]),
    );
  }
  return { stdout: lines.map((l) => `${l}\n`).join(""), stderr: "", exitCode: 0 };
}

function cleanupLove(args: readonly string[], site: LocalSite): Reply {
  const known = ["--no-run", "--love-producers-only"];
  const bad = args.find((a) => !known.includes(a));
  if (bad)
    return usage("cleanup_love", "[--no-run] [--love-producers-only]", `unrecognized arguments: ${bad}`);
  const ns = site.layout.loveNamespace() ?? LOVE;
  const producersOnly = args.includes("--love-producers-only");
  const deletions: [ResourceType, string, string][] = producersOnly
    ? [[DEPLOYMENTS, "deployment", "app.kubernetes.io/name=love-producer"]]
    : [
        [DEPLOYMENTS, "deployment", ""],
        [JOBS, "job", ""],
      ];
  const lines: string[] = [];
  for (const [type, word, selector] of deletions) {
    const command = `kubectl delete ${word} ${selector ? `-l ${selector}` : "--all"} -n ${ns}`;
    if (args.includes("--no-run")) {
      lines.push(command);
      continue;
    }
    const gone = site.cluster.apiDeleteCollection(type, ns, parseSelector(selector), "Background");
    const kind = type === JOBS ? "job.batch" : "deployment.apps";
    lines.push(
      ...(gone.length > 0
        ? gone.map((o) => `${kind} "${o.metadata.name}" deleted`)
        : [`No resources found in ${ns} namespace.`]),
    );
  }
  return { stdout: lines.map((l) => `${l}\n`).join(""), stderr: "", exitCode: 0 };
}

function cleanupNublado(args: readonly string[], cluster: KubeCluster): Reply {
  if (args.length > 0) return usage("cleanup_nublado", "", `unrecognized arguments: ${args.join(" ")}`);
  const namespaces = cluster.apiList(
    NAMESPACES,
    undefined,
    parseSelector(`${INSTANCE_LABEL}=${NUBLADO_USERS}`),
  );
  if (namespaces.length === 0) return { stdout: "No resources found\n", stderr: "", exitCode: 0 };
  const lines = namespaces.map((ns) => {
    for (const pod of cluster.apiList(PODS, ns.metadata.name, []))
      cluster.apiDelete(PODS, ns.metadata.name, pod.metadata.name);
    cluster.apiDelete(NAMESPACES, undefined, ns.metadata.name);
    return `namespace "${ns.metadata.name}" deleted\n`;
  });
  return { stdout: lines.join(""), stderr: "", exitCode: 0 };
}

function kt(args: readonly string[], site: LocalSite): Reply {
  const words = args.filter((a) => !a.startsWith("--"));
  const flags = args.filter((a) => a.startsWith("--"));
  const [command, siteName, sub] = words;
  if (command !== "consumers" || sub !== "lag") {
    return usage(
      "kt",
      "{consumers} SITE lag [--telegraf | --love-producer] [--summary]",
      "the simulated kafka-tools only does `consumers <site> lag`",
    );
  }
  if (siteName !== site.kafkaSite)
    return {
      stdout: "",
      stderr: `kt: unknown site ${siteName ?? "(none)"}: this simulated site is ${site.kafkaSite}\n`,
      exitCode: 1,
    };
  const match = flags.includes("--telegraf")
    ? (id: string) => id.startsWith("telegraf")
    : flags.includes("--love-producer")
      ? (id: string) => id.includes("love-producer")
      : () => true;
  const lines = site.kafka
    .groupIds()
    .filter(match)
    .map((id) => {
      const g = site.kafka.describeGroup(id)!;
      const lag = g.offsets.reduce((sum, o) => {
        const p = site.kafka.partitions(o.topic)?.[o.partition];
        return sum + (p ? Math.max(0, p.end - Math.max(o.offset, p.logStart)) : 0);
      }, 0);
      return `${id}: ${lag}`;
    });
  const summary = flags.includes("--summary")
    ? ["", `total lag: ${lines.reduce((s, l) => s + Number(l.split(": ")[1]), 0)}`]
    : [];
  return { stdout: [...lines, ...summary].map((l) => `${l}\n`).join(""), stderr: "", exitCode: 0 };
}
