import { readdir } from "node:fs/promises";
import { join, resolve } from "node:path";
import { kubeClientForSite } from "../runtime/clients/kubernetes.js";
import { breakLock, describeHolder, type LeaseStore } from "../runtime/lock.js";
import { FileLeaseStore } from "../runtime/lock-file-store.js";
import { siteLockStore } from "../runtime/lock-store.js";
import { planFromInput } from "./inputs.js";
import { EXIT } from "./main.js";

export interface UnlockOptions {
  id: string;
  site?: string;
  param?: string[];
  root?: string;
  stateDir?: string;
  kubeconfig?: string;
  lockNamespace?: string;
}

/**
 * `plan unlock --id <lock id> [plan] [--site s]`: breaks a stale lock, by its id only (the refusal of a
 * second `plan run` prints it). The lock is looked for where `plan run` keeps it: for the site of the
 * given plan, or the named site, or, with neither, among the lock files of the state directory.
 * Exit codes: 0 broken, 1 not broken (no such lock, another id), 2 bad usage.
 */
export async function unlockCommand(input: string | undefined, opts: UnlockOptions): Promise<number> {
  const err = (text: string) => process.stderr.write(`plan unlock: ${text}\n`);
  if (!/^[0-9a-f]{8}$/.test(opts.id)) {
    err(`\`${opts.id}\` is not a lock id (8 hexadecimal digits, as \`plan run\` prints them)`);
    return EXIT.usage;
  }
  const stateDir = resolve(opts.stateDir ?? ".plan");
  const stores: LeaseStore[] = [];
  if (input !== undefined) {
    const loaded = await planFromInput(input, { site: opts.site, param: opts.param, root: opts.root });
    if (!loaded.ok) {
      err(loaded.message ?? `cannot read the plan ${input}`);
      return EXIT.usage;
    }
    const namespace = opts.lockNamespace ?? process.env.PLAN_LOCK_NAMESPACE;
    const { site } = loaded.plan;
    const kube = () =>
      kubeClientForSite(site, opts.kubeconfig !== undefined ? { kubeconfig: opts.kubeconfig } : {});
    const found = siteLockStore(site, { stateDir, kube, namespace });
    if (!found.ok) {
      err(`${found.problem}${found.help ? `\n  help: ${found.help}` : ""}`);
      return EXIT.problems;
    }
    stores.push(found.store);
  } else if (opts.site) {
    stores.push(new FileLeaseStore(stateDir, opts.site));
  } else {
    for (const site of await lockedSites(stateDir)) stores.push(new FileLeaseStore(stateDir, site));
  }
  let seen: string | undefined;
  for (const store of stores) {
    const current = await store.get();
    if (!current) continue;
    if (current.holder.id !== opts.id) {
      seen ??= `${store.where} has id ${current.holder.id}`;
      continue;
    }
    const result = await breakLock(store, opts.id);
    if (!result.ok) {
      err(result.problem);
      return EXIT.problems;
    }
    process.stdout.write(`broke the lock of site ${result.holder.site} (${store.where}):\n`);
    for (const line of describeHolder(result.holder)) process.stdout.write(`  ${line}\n`);
    return EXIT.ok;
  }
  err(
    `no lock with id ${opts.id}${seen ? ` (the ${seen})` : ""}${stores.length === 0 ? ` in ${stateDir}` : ""}`,
  );
  return EXIT.problems;
}

async function lockedSites(stateDir: string): Promise<string[]> {
  try {
    return (await readdir(join(stateDir, "locks"), { withFileTypes: true }))
      .filter((e) => e.isDirectory())
      .map((e) => e.name)
      .sort();
  } catch {
    return [];
  }
}
