import type { PlanHost, PlanSite } from "../../ir/schema.js";

/**
 * Where everything of a simulated site is, read from a plan's site and nothing else: each CSC's job or
 * host, the labels of its job as the lsst-ts charts write them, the Sasquatch telegraf connectors and the
 * Kafka consumer groups. Pure.
 */

export type SiteCsc = PlanSite["cscs"][number];

/** A CSC that runs as a Kubernetes job of an Argo CD application. */
export interface KubeCsc {
  readonly csc: SiteCsc;
  readonly app: string;
  readonly namespace: string;
  /** The job's name, which is also its `csc-name` label. */
  readonly job: string;
  readonly labels: Readonly<Record<string, string>>;
}

/** A telegraf connector: its deployment in `sasquatch` and its consumer group. */
export interface TelegrafConnector {
  readonly deployment: string;
  readonly group: string;
  readonly topics: readonly string[];
}

/** The Argo CD application label Phalanx's Argo CD puts on what it manages (`application.instanceLabelKey`). */
export const INSTANCE_LABEL = "argocd.argoproj.io/instance";
/** The label of the Sasquatch telegraf connectors, which the procedures scale by. */
export const TELEGRAF_SELECTOR = { "app.kubernetes.io/name": "sasquatch-telegraf" } as const;
export const SASQUATCH = "sasquatch";
/** The Argo CD application of Nublado's user labs, whose namespaces `cleanup_nublado` deletes. */
export const NUBLADO_USERS = "nublado-users";
/** The Argo CD application of LOVE, whose namespace holds the LOVE producers. */
export const LOVE = "love";
/** The label of the LOVE producers' deployments (k8s-admin's `cleanup_love --love-producers-only`). */
export const LOVE_PRODUCER_SELECTOR = { "app.kubernetes.io/name": "love-producer" } as const;

/** The lsst-ts `csc` chart's class of a name: the name without a trailing index, except for mtm2 and mtm1m3. */
export function cscClass(name: string): string {
  if (name === "mtm2" || name === "mtm1m3") return name;
  return name.replace(/[0-9]+$/, "");
}

/**
 * The job name of a CSC: the site's `job` (its csc-name label), else the lower-cased name and index run
 * together (`ESS:104` -> `ess104`), as the charts name a CSC that the site file gives no label for.
 */
export function jobName(csc: SiteCsc): string {
  return csc.job ?? csc.id.toLowerCase().replace(/[^a-z0-9]/g, "");
}

/** The labels of a CSC's job and pods, as the lsst-ts `csc` chart's selector labels and Argo CD write them. */
export function jobLabels(app: string, job: string): Record<string, string> {
  return {
    csc: job,
    "csc-name": job,
    "csc-class": cscClass(job),
    "csc-is-primary": "true",
    [INSTANCE_LABEL]: app,
  };
}

export class SiteLayout {
  readonly kubeCscs: readonly KubeCsc[];
  private readonly byId: Map<string, SiteCsc>;

  constructor(readonly site: PlanSite) {
    this.byId = new Map(site.cscs.map((c) => [c.id, c]));
    const namespaces = new Map(site.apps.map((a) => [a.name, a.namespace]));
    const seen = new Set<string>();
    this.kubeCscs = site.cscs.flatMap((csc) => {
      if (!csc.app) return [];
      const namespace = namespaces.get(csc.app) ?? csc.app;
      let job = jobName(csc);
      // Two CSCs of a namespace under one label (the site file leaves such labels out): keep names unique.
      if (seen.has(`${namespace}/${job}`)) job = `${job}-${csc.id.toLowerCase().replace(/[^a-z0-9]/g, "")}`;
      seen.add(`${namespace}/${job}`);
      return [{ csc, app: csc.app, namespace, job, labels: jobLabels(csc.app, job) }];
    });
  }

  csc(id: string): SiteCsc | undefined {
    return this.byId.get(id);
  }

  /** Every CSC id, in the order the site lists them. */
  cscIds(): string[] {
    return this.site.cscs.map((c) => c.id);
  }

  /** The CSC ids whose name (without index) is `name`. */
  cscsNamed(name: string): string[] {
    return this.site.cscs.filter((c) => c.id.split(":")[0] === name).map((c) => c.id);
  }

  kubeCsc(id: string): KubeCsc | undefined {
    return this.kubeCscs.find((k) => k.csc.id === id);
  }

  kubeCscsOf(app: string): KubeCsc[] {
    return this.kubeCscs.filter((k) => k.app === app);
  }

  /** The Kubernetes CSC whose job this is, if any. */
  kubeCscOfJob(namespace: string, job: string): KubeCsc | undefined {
    return this.kubeCscs.find((k) => k.namespace === namespace && k.job === job);
  }

  namespaceOf(app: string): string {
    return this.site.apps.find((a) => a.name === app)?.namespace ?? app;
  }

  host(name: string): PlanHost | undefined {
    return this.site.hosts.find((h) => h.name === name);
  }

  /** The CSCs that run on a host (cameras' bridges, cRIOs, docker-compose deployments). */
  hostCscs(host: string): string[] {
    return this.site.cscs.filter((c) => c.host === host).map((c) => c.id);
  }

  /** The namespaces of the apps in Argo CD project `project`. */
  projectNamespaces(project: string): string[] {
    return [...new Set(this.site.apps.filter((a) => a.project === project).map((a) => a.namespace))].sort();
  }

  /** Apps that run CSCs, sorted: each has a telegraf connector and a LOVE producer in the simulated site. */
  cscApps(): string[] {
    return [...new Set(this.kubeCscs.map((k) => k.app))].sort();
  }

  /** The topics of an app's CSCs that the consumers read: the summary state of its first two CSC names. */
  topicsOf(app: string): string[] {
    const names = [...new Set(this.kubeCscsOf(app).map((k) => k.csc.id.split(":")[0]!))];
    return names.slice(0, 2).map((name) => `lsst.sal.${name}.logevent_summaryState`);
  }

  telegrafConnectors(): TelegrafConnector[] {
    return this.cscApps().map((app) => ({
      deployment: `sasquatch-telegraf-${app}`,
      group: `telegraf-kafka-consumer-${app}`,
      topics: this.topicsOf(app),
    }));
  }

  /** The consumer groups of the LOVE producers, one per app that runs CSCs, and their deployments in `love`. */
  loveProducerGroups(): {
    readonly group: string;
    readonly deployment: string;
    readonly topics: readonly string[];
  }[] {
    return this.cscApps().map((app) => ({
      group: `saluser@love-producer-${app}`,
      deployment: `love-producer-${app}`,
      topics: this.topicsOf(app),
    }));
  }

  /** The namespace of LOVE, when the site has a `love` application. */
  loveNamespace(): string | undefined {
    return this.site.apps.find((a) => a.name === LOVE)?.namespace;
  }
}
