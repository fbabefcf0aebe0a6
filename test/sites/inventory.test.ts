import { describe, expect, it } from "vitest";
import { type Host, plainText, type SiteDecl } from "../../src/language/ast.js";
import {
  attribute,
  commentBlocks,
  cscId,
  type InventoryRow,
  loadSite,
  nonCscNames,
  readDataText,
  readInventory,
  readRepoText,
  readYaml,
  SITES,
  type SiteName,
  strings,
} from "./observatory-data.js";

/**
 * sites/*.dpl against data/observatory/: the inventories hold exactly what csc-inventory.csv deploys at each site
 * (less the documented omissions), each in the right place and start state; the hosts and applications are those of
 * sites.yaml. Each site file documents its choices where the data is uncertain; this test holds them to the data.
 */

const rows = readInventory();
const sitesYaml = readYaml("sites.yaml").sites;
const notCscs = nonCscNames();

/** What a site's inventory entry must say, derived from one csv row. */
interface Expected {
  place:
    | { kind: "kubernetes"; app: string; simulator: boolean }
    | { kind: "host"; addresses: string[] }
    | { kind: "unknown" };
  starts?: string;
  heartbeatOnly: boolean;
}

/** The rows a site's inventory leaves out, and why: each must be documented in the site file. */
function omitted(row: InventoryRow, site: SiteName): string | undefined {
  if (notCscs.has(row.name!)) return "not a CSC (sal-subsystems.yaml is_csc: false)";
  if (row[site] === "not-deployed?") return "not-deployed?";
  return undefined;
}

function expectedFor(row: InventoryRow, site: SiteName): Expected {
  const [where, ...rest] = row[site]!.split("/");
  const autoEnabled: string[] = sitesYaml[site].auto_enabled;
  // The csv's starts_in (the chart's RUN_ARG) is what runs; sites.yaml auto_enabled is a subset of it at every site.
  const starts = row[`starts_in_${site}`] || (autoEnabled.includes(row.id!) ? "ENABLED" : undefined);
  // 001: "The VMSs do not report OFFLINE."
  const heartbeatOnly = row.name === "MTVMS";
  let place: Expected["place"];
  if (where === "k8s" || where === "k8s-sim" || where === "k8s-hwsim") {
    // k8s-hwsim (MTM2 at BTS) runs the real CSC against a hardware simulator: not --simulate.
    place = { kind: "kubernetes", app: rest[0]!, simulator: where === "k8s-sim" };
  } else if (where === "camera-mcm" || where === "crio" || where === "bare-metal") {
    const host = rest.join("/");
    // A cRIO with no host named (MTVMS:3 at the Summit) is encoded `unknown`.
    place = host === "" ? { kind: "unknown" } : { kind: "host", addresses: host.split(" or ") };
  } else if (where === "unknown") {
    place = { kind: "unknown" };
  } else {
    throw new Error(`${row.id} at ${site}: unexpected place ${row[site]}`);
  }
  return { place, ...(starts ? { starts } : {}), heartbeatOnly };
}

function hostAddress(site: SiteDecl, name: string): string {
  const host = site.hosts.find((h) => h.name.value === name);
  if (!host) throw new Error(`site ${site.name.value}: no host ${name}`);
  return plainText(host.address)!;
}

function hostAttribute(host: Host, key: string): string | undefined {
  const found = host.attributes.filter((a) => a.key.value === key);
  if (found.length > 1) throw new Error(`host ${host.name.value}: ${key} given twice`);
  return found[0] ? strings(found[0].value)[0] : undefined;
}

/** Every host of a site in sites.yaml: address -> role, and the bridge unit of the camera hosts. */
function expectedHosts(site: SiteName): Map<string, { role: string; service?: string }> {
  const bm = sitesYaml[site].bare_metal ?? {};
  const out = new Map<string, { role: string; service?: string }>();
  const add = (address: string, role: string, service?: string) => {
    expect(out.has(address), `${address} listed twice in sites.yaml`).toBe(false);
    out.set(address, { role, ...(service ? { service } : {}) });
  };
  for (const a of bm.tandS_cscs ?? []) add(a, "bare-metal");
  if (bm.auxtel_illumination) add(bm.auxtel_illumination, "illumination");
  if (bm.love) add(bm.love, "love");
  for (const [csc, a] of Object.entries<string>(bm.camera_mcm ?? {}))
    add(a, "camera", bm.camera_bridge_services[csc]);
  for (const a of Object.values<string>(bm.crio ?? {})) add(a, "crio");
  if (bm.vms_data_logger) add(bm.vms_data_logger, "vms-logger");
  for (const a of bm.flat_fiberspec ?? []) add(a, "fiberspectrograph");
  for (const a of bm.ess_controllers ?? []) add(a, "ess-controller");
  return out;
}

describe.each(SITES)("site %s", (siteName) => {
  const site = loadSite(siteName);
  const siteRows = rows.filter((r) => r[siteName] !== "");

  it("is named after its file and titled as in sites.yaml", () => {
    expect(site.name.value).toBe(siteName);
    expect(plainText(site.title!)).toBe(sitesYaml[siteName].title);
  });

  it("has every CSC the csv deploys there, less the documented omissions, and nothing else", () => {
    const expected = siteRows.filter((r) => omitted(r, siteName) === undefined).map((r) => r.id!);
    const actual = site.inventory.map((e) => cscId(e.csc));
    expect(new Set(actual).size, "an inventory entry is repeated").toBe(actual.length);
    expect([...actual].sort()).toEqual([...expected].sort());
  });

  it("documents every omission in a comment that gives the reason", () => {
    const blocks = commentBlocks(readRepoText(`sites/${siteName}.dpl`));
    for (const row of siteRows) {
      const reason = omitted(row, siteName);
      if (reason === undefined) continue;
      const marker = reason === "not-deployed?" ? "`not-deployed?`" : "is_csc: false";
      const explained = blocks.some(
        (b) => b.includes(row.id!) && b.includes(marker) && b.includes("Left out"),
      );
      expect(explained, `no comment says why ${row.id} is left out`).toBe(true);
    }
  });

  it("places each CSC where the csv says, with its simulator flag", () => {
    for (const row of siteRows) {
      if (omitted(row, siteName) !== undefined) continue;
      const entry = site.inventory.find((e) => cscId(e.csc) === row.id);
      expect(entry, `${row.id} is missing`).toBeDefined();
      if (!entry) continue;
      const want = expectedFor(row, siteName).place;
      const got = entry.deployment;
      if (want.kind === "kubernetes") {
        expect(got, row.id).toMatchObject({ kind: "kubernetes", simulator: want.simulator });
        expect(got.kind === "kubernetes" && got.app.value, row.id).toBe(want.app);
      } else if (want.kind === "host") {
        expect(got.kind, row.id).toBe("host");
        if (got.kind === "host") expect(want.addresses, row.id).toContain(hostAddress(site, got.host.value));
      } else {
        expect(got.kind, row.id).toBe("unknown");
      }
    }
  });

  it("starts each CSC in the state the csv and sites.yaml auto_enabled give, and marks the VMSs heartbeat-only", () => {
    for (const row of siteRows) {
      if (omitted(row, siteName) !== undefined) continue;
      const entry = site.inventory.find((e) => cscId(e.csc) === row.id);
      expect(entry, `${row.id} is missing`).toBeDefined();
      if (!entry) continue;
      const want = expectedFor(row, siteName);
      expect(entry.starts?.state, row.id).toBe(want.starts);
      expect(entry.heartbeatOnly !== undefined, row.id).toBe(want.heartbeatOnly);
    }
    // Every CSC that sites.yaml says comes up ENABLED does, when the site has it.
    for (const id of sitesYaml[siteName].auto_enabled as string[]) {
      const entry = site.inventory.find((e) => cscId(e.csc) === id);
      expect(entry?.starts?.state, id).toBe("ENABLED");
    }
  });

  it("has exactly the hosts of sites.yaml, each at its address with its role and bridge unit", () => {
    const want = expectedHosts(siteName);
    const addresses = site.hosts.map((h) => plainText(h.address)!);
    expect([...addresses].sort()).toEqual([...want.keys()].sort());
    for (const host of site.hosts) {
      const address = plainText(host.address)!;
      // The naming convention the procedures rely on: the first label of the DNS name.
      expect(host.name.value).toBe(address.split(".")[0]);
      expect(hostAttribute(host, "role"), address).toBe(want.get(address)!.role);
      if (want.get(address)!.role === "camera") {
        expect(hostAttribute(host, "service"), address).toBe(want.get(address)!.service);
      }
    }
  });

  it("has the telescope project's applications of sites.yaml, and the apps the procedures sync", () => {
    const telescope = site.apps.filter((a) => a.project?.value === "telescope").map((a) => a.name.value);
    expect([...telescope].sort()).toEqual([...sitesYaml[siteName].telescope_apps].sort());
    const others = site.apps.filter((a) => a.project === undefined).map((a) => a.name.value);
    expect(others.sort()).toEqual(["nublado", "sasquatch", sitesYaml[siteName].app_of_apps].sort());
    // Every Kubernetes CSC runs in an application the site declares.
    const apps = new Set(site.apps.map((a) => a.name.value));
    for (const e of site.inventory) {
      if (e.deployment.kind === "kubernetes") expect(apps, cscId(e.csc)).toContain(e.deployment.app.value);
    }
  });

  it("has the endpoints of sites.yaml and the Phalanx Kafka defaults", () => {
    const s = sitesYaml[siteName];
    expect(attribute(site, "kubernetes_context")).toEqual([s.k8s.context]);
    expect(attribute(site, "kubeconfig")).toEqual([s.k8s.kubeconfig]);
    expect(attribute(site, "rancher")).toEqual([s.k8s.rancher]);
    expect(attribute(site, "argocd")).toEqual([s.urls.argocd]);
    expect(attribute(site, "love")).toEqual(s.urls.love);
    expect(attribute(site, "chronograf")).toEqual([s.urls.chronograf]);
    expect(attribute(site, "nublado")).toEqual([s.urls.nublado]);
    expect(attribute(site, "slack")).toEqual([s.slack]);
    expect(attribute(site, "fqdn")).toEqual([s.fqdn]);
    expect(attribute(site, "phalanx_env")).toEqual([s.phalanx_env]);
    expect(attribute(site, "kafka_site")).toEqual([s.kafka_tools_site]);
    expect(attribute(site, "love_summary_view")).toEqual([s.love_summary_view]);
    expect(attribute(site, "image_tag")).toEqual([s.control_system.imageTag]);
    // The defaults are in the header comment of sites.yaml, the only place the data gives them.
    const header = readDataText("sites.yaml");
    const broker = /kafkaBrokerAddress (\S+?),/.exec(header)?.[1];
    const registry = /schemaRegistryUrl (\S+?),/.exec(header)?.[1];
    expect(broker).toBe("sasquatch-kafka-bootstrap.sasquatch:9092");
    expect(attribute(site, "kafka")).toEqual([broker]);
    expect(attribute(site, "schema_registry")).toEqual([registry]);
  });
});

describe("the data the site files are checked against", () => {
  it("is the whole inventory: 123 rows, one per id, every name a SAL component", () => {
    expect(rows).toHaveLength(123);
    expect(new Set(rows.map((r) => r.id)).size).toBe(123);
    const known = new Set(
      (readYaml("sal-subsystems.yaml").subsystems as { name: string }[]).map((s) => s.name),
    );
    for (const r of rows) expect(known, r.id).toContain(r.name);
  });
});
