import { mkdirSync, writeFileSync } from "node:fs";
import { isIPv6 } from "node:net";
import { join } from "node:path";
import { stringify } from "yaml";
import type { PlanSite } from "../ir/schema.js";

/**
 * Kubernetes from inside a pod (`plan step --in-cluster`): the API server is the one the pod runs in, at
 * `KUBERNETES_SERVICE_HOST:KUBERNETES_SERVICE_PORT`, and the identity is the pod's service account, whose
 * token and CA the kubelet mounts. `plan step` writes these as a kubeconfig whose one context has the
 * site's context name, so that the runtime's Kubernetes client, which reads a kubeconfig and the site's
 * context, works unchanged. The file holds paths, never the token: the client reads the token file on
 * each use (at most a minute old), so a rotated token is picked up.
 */

/** Where the kubelet mounts the service account's token, CA and namespace. */
export const SERVICE_ACCOUNT_DIR = "/var/run/secrets/kubernetes.io/serviceaccount";

export type InClusterResult =
  | { readonly ok: true; readonly text: string }
  | { readonly ok: false; readonly problem: string; readonly help: string };

/**
 * The kubeconfig text of the pod's own cluster and service account, with one context named after the
 * site's (`in-cluster` for a site without Kubernetes). `PLAN_SERVICE_ACCOUNT_DIR` overrides where the
 * token and CA are (for tests). Outside a pod (no `KUBERNETES_SERVICE_HOST`) it says so.
 */
export function inClusterKubeconfig(
  site: PlanSite,
  env: Readonly<Record<string, string | undefined>>,
): InClusterResult {
  const host = env.KUBERNETES_SERVICE_HOST;
  const port = env.KUBERNETES_SERVICE_PORT;
  if (!host || !port) {
    return {
      ok: false,
      problem: "--in-cluster works only in a Kubernetes pod (KUBERNETES_SERVICE_HOST and _PORT are not set)",
      help: "outside the cluster, give the site's kubeconfig with --kubeconfig",
    };
  }
  const dir = env.PLAN_SERVICE_ACCOUNT_DIR || SERVICE_ACCOUNT_DIR;
  const context = site.kubernetes?.context ?? "in-cluster";
  const server = `https://${isIPv6(host) ? `[${host}]` : host}:${port}`;
  const config = {
    apiVersion: "v1",
    kind: "Config",
    "current-context": context,
    clusters: [{ name: "in-cluster", cluster: { server, "certificate-authority": join(dir, "ca.crt") } }],
    users: [
      {
        name: "service-account",
        // NOTE: the auth provider @kubernetes/client-node itself uses in a pod (KubeConfig.loadFromCluster);
        // kubectl would not read it, but only plan reads this file.
        user: { "auth-provider": { name: "tokenFile", config: { tokenFile: join(dir, "token") } } },
      },
    ],
    contexts: [{ name: context, context: { cluster: "in-cluster", user: "service-account" } }],
  };
  return { ok: true, text: stringify(config) };
}

/** Writes the in-cluster kubeconfig into `dir` (mode 0600) and returns its path. */
export function writeInClusterKubeconfig(dir: string, text: string): string {
  mkdirSync(dir, { recursive: true });
  const path = join(dir, "in-cluster.kubeconfig");
  writeFileSync(path, text, { mode: 0o600 });
  return path;
}
