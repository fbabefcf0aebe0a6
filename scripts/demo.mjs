#!/usr/bin/env node
// `npm run demo`: the whole tool in about a minute. Renders the Summit's full-upgrade checklist, then runs
// that plan end to end on a simulated Summit (every system a local double on 127.0.0.1, site time 150 times
// faster than the wall clock), with the real runtime, executors and client libraries, and says where
// everything it made is. Nothing outside this machine is touched.
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const plan = (...args) =>
  spawnSync(process.execPath, [join(root, "bin", "plan.js"), ...args], { cwd: root, stdio: "inherit" });
const say = (text) => process.stdout.write(`${text}\n`);
const entry = "plans/summit.dpl";
const checklist = join("out", "summit.html");
const stateDir = join("out", "demo");
const speed = process.env.PLAN_DEMO_SPEED ?? "150";

if (!existsSync(join(root, "dist", "cli", "main.js"))) {
  say("Building plan first (npm run build)…");
  const built = spawnSync("npm", ["run", "build"], { cwd: root, stdio: "inherit" });
  if (built.status !== 0) process.exit(built.status ?? 1);
}

say(`1. The checklist: plan render ${entry} --format html -o ${checklist}`);
const rendered = plan("render", entry, "--format", "html", "-o", checklist);
if (rendered.status !== 0) process.exit(rendered.status ?? 1);

say("");
say(`2. The Summit full upgrade, end to end, on a simulated Summit at ${speed}x:`);
say(`   plan run ${entry} --simulate --speed ${speed} --fresh --state-dir ${stateDir}`);
say("");
const ran = plan("run", entry, "--simulate", "--speed", speed, "--fresh", "--state-dir", stateDir);

say("");
say("What the demo made:");
say(`  the checklist, to print or read beside the run: ${pathToFileURL(join(root, checklist)).href}`);
say(
  `  the run's journal (every step's start, output, answer and end): ${relative(root, join(root, stateDir, "runs"))}/`,
);
say(`  the simulated site's saved state: ${relative(root, join(root, stateDir, "simulated"))}/`);
say("Next:");
say(
  `  look at the site with kubectl, kcat and curl:  node bin/plan.js simulate ${entry} --state-dir ${stateDir}`,
);
say(
  `  rehearse a failure:  node bin/plan.js run ${entry} --simulate --fresh --state-dir ${stateDir} --faults app-degraded=love`,
);
say(`  how long it takes, and who is needed when:  node bin/plan.js estimate ${entry}`);
process.exit(ran.status ?? 1);
