import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createKubeClient, type KubeClient } from "../../src/runtime/clients/kubernetes.js";
import { KubeApiServer, type KubeApiServerOptions } from "../../src/runtime/simulator/kube-apiserver.js";
import { FakeClock } from "./context.js";

/**
 * A Kubernetes API double on 127.0.0.1, a real kubeconfig file that points at it (context `tts`), and the
 * runtime's KubeClient made from that file, all on one fake clock. `close()` stops the server.
 */
export interface KubeFixture {
  readonly api: KubeApiServer;
  readonly clock: FakeClock;
  readonly kubeconfig: string;
  readonly dir: string;
  readonly kube: KubeClient;
  close(): Promise<void>;
}

export const CONTEXT = "tts";

export async function startKube(
  options: KubeApiServerOptions & { token?: string } = {},
): Promise<KubeFixture> {
  const clock = new FakeClock();
  const api = await KubeApiServer.start({ clock, ...options });
  const dir = await mkdtemp(join(tmpdir(), "plan-kube-"));
  const kubeconfig = await api.writeKubeconfig(join(dir, "config"), {
    context: CONTEXT,
    ...(options.token ? { token: options.token } : {}),
  });
  const kube = createKubeClient({ kubeconfig, context: CONTEXT });
  return {
    api,
    clock,
    kubeconfig,
    dir,
    kube,
    async close() {
      await api.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** The Strimzi Kafka custom resource, as the site's cluster serves it. */
export const KAFKA = {
  group: "kafka.strimzi.io",
  version: "v1beta2",
  plural: "kafkas",
  kind: "Kafka",
} as const;
