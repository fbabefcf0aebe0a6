#!/usr/bin/env node
// The `plan` command. The TypeScript sources are compiled to dist/ by `npm ci` (the `prepare` script).
import { main } from "../dist/cli/main.js";

main(process.argv).then((code) => {
  process.exitCode = code;
});
