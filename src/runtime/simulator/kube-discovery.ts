import { apiVersionOf, type ResourceType } from "./kube-objects.js";

/**
 * The discovery documents of the Kubernetes double (`/version`, `/api`, `/apis`, `/api/v1`,
 * `/apis/<group>/<version>`), built from the types it serves, so that kubectl can find its way around a
 * simulated site. The runtime's client does not read them.
 */

const VERBS = ["create", "delete", "deletecollection", "get", "list", "patch", "update"];

/** The short names the real server gives, which kubectl resolves through discovery (`kubectl get ns`). */
const SHORT_NAMES: Readonly<Record<string, readonly string[]>> = {
  "/namespaces": ["ns"],
  "/pods": ["po"],
  "/configmaps": ["cm"],
  "apps/deployments": ["deploy"],
  "kafka.strimzi.io/kafkas": ["k"],
};

/** The document at a discovery path, or undefined when the path is not a discovery path. */
export function discovery(path: string, types: readonly ResourceType[], host: string): unknown {
  if (path === "/version") {
    return { major: "1", minor: "31", gitVersion: "v1.31.4-plan-simulated", platform: "linux/amd64" };
  }
  if (path === "/api") {
    return {
      kind: "APIVersions",
      versions: ["v1"],
      serverAddressByClientCIDRs: [{ clientCIDR: "0.0.0.0/0", serverAddress: host }],
    };
  }
  const groups = groupsOf(types);
  if (path === "/apis") {
    return { kind: "APIGroupList", apiVersion: "v1", groups: [...groups.values()].map(groupDoc) };
  }
  const m = /^\/apis\/([^/]+)$/.exec(path);
  if (m) {
    const g = groups.get(m[1]!);
    return g ? { kind: "APIGroup", apiVersion: "v1", ...groupDoc(g) } : undefined;
  }
  const v = /^\/api\/(v1)$/.exec(path) ?? /^\/apis\/([^/]+\/[^/]+)$/.exec(path);
  if (!v) return undefined;
  const groupVersion = v[1]!;
  const served = types.filter((t) => apiVersionOf(t) === groupVersion);
  if (served.length === 0) return undefined;
  return {
    kind: "APIResourceList",
    apiVersion: "v1",
    groupVersion,
    resources: served.flatMap((t) => [
      {
        name: t.plural,
        singularName: t.kind.toLowerCase(),
        namespaced: t.namespaced,
        kind: t.kind,
        verbs: VERBS,
        ...(SHORT_NAMES[`${t.group}/${t.plural}`]
          ? { shortNames: SHORT_NAMES[`${t.group}/${t.plural}`] }
          : {}),
      },
      ...(t.plural === "deployments" && t.group === "apps"
        ? [
            {
              name: "deployments/scale",
              singularName: "",
              namespaced: true,
              group: "autoscaling",
              version: "v1",
              kind: "Scale",
              verbs: ["get", "patch", "update"],
            },
          ]
        : []),
    ]),
  };
}

interface Group {
  readonly name: string;
  readonly versions: string[];
}

function groupsOf(types: readonly ResourceType[]): Map<string, Group> {
  const groups = new Map<string, Group>();
  for (const t of types) {
    if (!t.group) continue;
    const g = groups.get(t.group) ?? { name: t.group, versions: [] };
    if (!g.versions.includes(t.version)) g.versions.push(t.version);
    groups.set(t.group, g);
  }
  return new Map([...groups.entries()].sort(([a], [b]) => (a < b ? -1 : 1)));
}

function groupDoc(g: Group): Record<string, unknown> {
  const versions = g.versions.map((version) => ({ groupVersion: `${g.name}/${version}`, version }));
  return { name: g.name, versions, preferredVersion: versions[0] };
}
