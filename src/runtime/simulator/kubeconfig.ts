import { writeFile } from "node:fs/promises";
import { stringify } from "yaml";

/**
 * Kubeconfig files for the simulated site and the tests: one named context per entry, each with its own
 * cluster and user, in the format kubectl and @kubernetes/client-node read.
 */

export interface KubeconfigContext {
  /** The context's name, as a site's `kubernetes.context` names it. */
  readonly context: string;
  /** The API server, `http://127.0.0.1:<port>` or `https://...`. */
  readonly server: string;
  /** A bearer token for the user (the double maps tokens to users). */
  readonly token?: string;
  /** The CA that signed an https server's certificate. */
  readonly caFile?: string;
  /**
   * Skips verifying the server's certificate. Always set for an http server, which the client library
   * refuses to talk to otherwise.
   */
  readonly insecureSkipTlsVerify?: boolean;
  /** The context's default namespace. */
  readonly namespace?: string;
}

/** The YAML text of a kubeconfig with these contexts; the current context is `current` or the first. */
export function kubeconfigText(contexts: readonly KubeconfigContext[], current?: string): string {
  const doc = {
    apiVersion: "v1",
    kind: "Config",
    preferences: {},
    "current-context": current ?? contexts[0]?.context ?? "",
    clusters: contexts.map((c) => ({
      name: `${c.context}-cluster`,
      cluster: {
        server: c.server,
        ...(c.caFile ? { "certificate-authority": c.caFile } : {}),
        ...(c.insecureSkipTlsVerify || c.server.startsWith("http:")
          ? { "insecure-skip-tls-verify": true }
          : {}),
      },
    })),
    users: contexts.map((c) => ({ name: `${c.context}-user`, user: c.token ? { token: c.token } : {} })),
    contexts: contexts.map((c) => ({
      name: c.context,
      context: {
        cluster: `${c.context}-cluster`,
        user: `${c.context}-user`,
        ...(c.namespace ? { namespace: c.namespace } : {}),
      },
    })),
  };
  return stringify(doc);
}

/** Writes a kubeconfig file (mode 0600, as it may hold tokens) and returns its path. */
export async function writeKubeconfig(
  path: string,
  contexts: KubeconfigContext | readonly KubeconfigContext[],
  current?: string,
): Promise<string> {
  const list = Array.isArray(contexts)
    ? (contexts as readonly KubeconfigContext[])
    : [contexts as KubeconfigContext];
  await writeFile(path, kubeconfigText(list, current), { mode: 0o600 });
  return path;
}
