import { chmodSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { CONTROL_TOKEN_ENV, CONTROL_URL_ENV } from "./control-server.js";
import { LOCAL_PROGRAMS } from "./local-commands.js";

/**
 * The directory of command shims of a simulated site: one small executable per program the procedures
 * run on the operator's machine (`cleanup_all`, `cleanup_nublado`, `kubectl`, `kt`, `docker`). A
 * simulated run runs local commands for real, through execa, with this directory as working directory
 * (`./cleanup_all`) and as the only entry of PATH (`kubectl`); each shim sends its arguments to the site
 * (control-server.ts) and prints what the site answers, with its exit code. Written anew at each start.
 */
export function writeShims(dir: string): string {
  mkdirSync(dir, { recursive: true });
  // The shims are CommonJS, wherever the directory is (inside a project whose package.json says "module").
  writeFileSync(join(dir, "package.json"), `${JSON.stringify({ type: "commonjs", private: true })}\n`);
  for (const program of LOCAL_PROGRAMS) {
    const path = join(dir, program);
    writeFileSync(path, shimText(program), { mode: 0o755 });
    chmodSync(path, 0o755);
  }
  return dir;
}

function shimText(program: string): string {
  // NOTE: the absolute path of this node, so that the shim runs with a PATH that holds only the shims; and
  // node:http without keep-alive, so that the shim ends as soon as it has its answer.
  return `#!${process.execPath}
"use strict";
// Written by plan: the ${program} of a simulated site. It asks the site at $${CONTROL_URL_ENV} to do what
// the real ${program} would, and prints the site's answer.
const http = require("node:http");
const program = ${JSON.stringify(program)};
const url = process.env.${CONTROL_URL_ENV};
if (!url) {
  process.stderr.write(program + ": this is a simulated site's " + program + ", and no simulated site is running ($${CONTROL_URL_ENV} is not set)\\n");
  process.exit(127);
}
// What the program is given on its standard input (nothing when it has none), for the k8s-admin scripts that
// ask "y to proceed". A terminal gets a line read from it, as the real scripts read one.
let input = "";
if (${JSON.stringify(["cleanup_all", "cleanup_nublado"])}.includes(program) && !process.argv.includes("--no-run")) {
  try {
    input = require("node:fs").readFileSync(0, "utf8");
  } catch (e) {
    input = "";
  }
}
const body = JSON.stringify({ program, args: process.argv.slice(2), input });
const fail = (why) => {
  process.stderr.write(program + ": the simulated site does not answer: " + why + "\\n");
  process.exitCode = 69;
};
const req = http.request(url + "/run", {
  method: "POST",
  agent: false,
  headers: {
    "content-type": "application/json",
    "content-length": Buffer.byteLength(body),
    authorization: "Bearer " + (process.env.${CONTROL_TOKEN_ENV} || ""),
  },
}, (res) => {
  const chunks = [];
  res.on("data", (c) => chunks.push(c));
  res.on("end", () => {
    let a;
    try {
      a = JSON.parse(Buffer.concat(chunks).toString("utf8"));
    } catch (e) {
      return fail("not JSON (HTTP " + res.statusCode + ")");
    }
    if (a.stdout) process.stdout.write(a.stdout);
    if (a.stderr) process.stderr.write(a.stderr);
    process.exitCode = typeof a.exitCode === "number" ? a.exitCode : 70;
  });
});
req.on("error", (e) => fail(e.message));
req.end(body);
`;
}
