import { isAbsolute } from "node:path";
import type { PlanHost } from "../../ir/schema.js";
import { createArgoCdClient } from "../clients/argocd.js";
import {
  type CommandRequest,
  type CommandResult,
  type CommandRunner,
  ExecaCommandRunner,
} from "../clients/commands.js";
import { createEfdClient } from "../clients/efd.js";
import type { KafkaLagClient } from "../clients/kafka.js";
import { kafkaLagClientForSite } from "../clients/kafka-admin.js";
import { kubeClientForSite } from "../clients/kubernetes.js";
import { createSchemaRegistryClient } from "../clients/schema-registry.js";
import { type Secrets, type Services, StepFailure } from "../executor.js";
import { lazyServices } from "../services.js";
import { CONTROL_TOKEN_ENV, CONTROL_URL_ENV } from "./control-server.js";
import { isLocalProgram } from "./local-commands.js";
import { SIMULATED_ARGOCD_TOKEN_ENV, type SimulatedSite } from "./simulated-site.js";
import { onLagRead } from "./site-wiring.js";

/**
 * The services of a run against a simulated site: the real clients (the same factories as a real run),
 * made from the site override (every endpoint on 127.0.0.1), with the site's Argo CD token among the
 * secrets; Kafka reads that tell the site (for `broker-down`); and a command runner for which every host
 * is its double, and every local program a shim of the site.
 */
export function simulatedServices(site: SimulatedSite, secrets: Secrets): Services {
  const override = site.siteOverride();
  const simSecrets = simulatedSecrets(site, secrets);
  return lazyServices({
    kubernetes: () => kubeClientForSite(override),
    kafka: () => {
      const inner = kafkaLagClientForSite(override);
      if (!inner)
        throw new StepFailure(
          `site \`${override.name}\` has no Kafka brokers`,
          "add its bootstrap servers to the site file",
        );
      return telling(inner, () => onLagRead(site.parts));
    },
    argocd: () => createArgoCdClient(override, simSecrets),
    registry: () => createSchemaRegistryClient(override),
    efd: () => createEfdClient(override, simSecrets),
    commands: () => new SimulatedCommandRunner(site),
  });
}

/** The secrets, with the simulated site's Argo CD token under SIMULATED_ARGOCD_TOKEN_ENV. */
export function simulatedSecrets(site: SimulatedSite, secrets: Secrets): Secrets {
  return {
    get: (name) => (name === SIMULATED_ARGOCD_TOKEN_ENV ? site.endpoints.argocdToken : secrets.get(name)),
  };
}

function telling(inner: KafkaLagClient, before: () => void): KafkaLagClient {
  return {
    brokers: inner.brokers,
    lag(prefix, signal) {
      before();
      return inner.lag(prefix, signal);
    },
    close: () => inner.close(),
  };
}

/**
 * Commands of a simulated run, run for real through execa:
 * - on a host: over ssh with the site's ssh config, to that host's double (a host the site does not have
 *   is refused, never dialled);
 * - here: from the shims directory (working directory and the whole PATH), when the program is one the
 *   site simulates (`./cleanup_all`, `kubectl`, or any path whose last part is such a program, as a
 *   k8s-admin checkout elsewhere); any other program is not run and exits 127, as in a shell that does
 *   not have it.
 * `describe` is the real one: the ssh line names the real host.
 */
export class SimulatedCommandRunner implements CommandRunner {
  private readonly inner: ExecaCommandRunner;

  constructor(private readonly site: SimulatedSite) {
    this.inner = new ExecaCommandRunner({
      ssh: site.parts.hosts?.sshOptions(),
      cwd: site.endpoints.shims,
      env: {
        PATH: site.endpoints.shims,
        [CONTROL_URL_ENV]: site.controlUrl,
        [CONTROL_TOKEN_ENV]: site.controlToken,
        KUBECONFIG: site.endpoints.kubeconfig,
      },
    });
  }

  describe(argv: readonly string[], host?: PlanHost): string {
    return this.inner.describe(argv, host);
  }

  async run(request: CommandRequest): Promise<CommandResult> {
    if (request.host) {
      const host = this.site.parts.hosts?.dialable(request.host);
      if (!host) {
        throw new StepFailure(
          `host ${request.host.name} is not one of the simulated site's hosts`,
          "add it to the site file, or run this step by hand",
        );
      }
      return this.inner.run({ ...request, host });
    }
    const program = request.argv[0] ?? "";
    const base = program.replace(/^.*\//, "");
    if (!isLocalProgram(base)) {
      const line = `${program}: command not found (the simulated site has no such program on this machine)`;
      request.onLine?.(line, "stderr");
      return { exitCode: 127, stdoutTail: [], stderrTail: [line] };
    }
    // A program given by a path (`./cleanup_all`, `/opt/k8s-admin/cleanup_all`) is the shim of that name.
    const argv =
      program.includes("/") || isAbsolute(program) ? [`./${base}`, ...request.argv.slice(1)] : request.argv;
    return this.inner.run({ ...request, argv });
  }
}
