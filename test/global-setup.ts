import { execFileSync } from "node:child_process";

/**
 * Builds dist/ before the tests, so that tests of the `plan` command run the code as it is now,
 * not as it was at the last `npm ci`.
 */
export default function setup(): void {
  execFileSync(process.execPath, ["node_modules/typescript/bin/tsc", "-p", "tsconfig.build.json"], {
    stdio: "inherit",
  });
}
