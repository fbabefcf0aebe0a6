import type { PlanSite } from "../ir/schema.js";
import { createArgoCdClient } from "./clients/argocd.js";
import { ExecaCommandRunner } from "./clients/commands.js";
import { createEfdClient } from "./clients/efd.js";
import { kafkaLagClientForSite } from "./clients/kafka-admin.js";
import { kubeClientForSite } from "./clients/kubernetes.js";
import { createSchemaRegistryClient } from "./clients/schema-registry.js";
import type { SshOptions } from "./clients/ssh.js";
import { type Secrets, type Services, StepFailure } from "./executor.js";

/** What the run adds to the plan's site to reach its systems. */
export interface ServiceOptions {
  /** `--kubeconfig`: the kubeconfig file to use instead of the site's (or the default one). */
  readonly kubeconfig?: string;
  /** How to reach hosts over ssh (see `sshOptionsFromEnv`). */
  readonly ssh?: SshOptions;
}

type Factories = { [K in Exclude<keyof Services, "close">]: () => ReturnType<Services[K]> };

/**
 * The clients of a site's systems, each created on first use (a plan without Kafka steps never connects
 * to Kafka) and then kept; `close` releases those that were created. A factory that throws (no such system
 * at this site, an unreadable CA file) throws again on each use, so every step that needs it fails with
 * the same clear message.
 */
export function siteServices(site: PlanSite, secrets: Secrets, options: ServiceOptions = {}): Services {
  const factories: Factories = {
    kubernetes: () =>
      kubeClientForSite(site, options.kubeconfig !== undefined ? { kubeconfig: options.kubeconfig } : {}),
    kafka: () =>
      kafkaLagClientForSite(site) ??
      fail(`site \`${site.name}\` has no Kafka brokers`, "add its bootstrap servers to the site file"),
    argocd: () => createArgoCdClient(site, secrets),
    registry: () => createSchemaRegistryClient(site),
    efd: () => createEfdClient(site, secrets),
    commands: () => new ExecaCommandRunner({ ssh: options.ssh }),
  };
  return lazyServices(factories);
}

/** Services over factories: each one called at most once, on first use; `close` closes what was made. */
export function lazyServices(factories: Factories): Services {
  const made = new Map<string, unknown>();
  const get = <K extends keyof Factories>(key: K): ReturnType<Factories[K]> => {
    if (!made.has(key)) made.set(key, factories[key]());
    return made.get(key) as ReturnType<Factories[K]>;
  };
  return {
    kubernetes: () => get("kubernetes"),
    kafka: () => get("kafka"),
    argocd: () => get("argocd"),
    registry: () => get("registry"),
    efd: () => get("efd"),
    commands: () => get("commands"),
    async close() {
      const closing = [...made.values()].map(async (client) => {
        const c = client as { close?: () => unknown; disconnect?: () => unknown } | undefined;
        if (typeof c?.close === "function") await c.close();
        else if (typeof c?.disconnect === "function") await c.disconnect();
      });
      made.clear();
      await Promise.allSettled(closing);
    },
  };
}

function fail(message: string, help: string): never {
  throw new StepFailure(message, help);
}
