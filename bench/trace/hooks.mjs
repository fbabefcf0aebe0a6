// Module hooks (they run on the loader's thread): append each loaded URL to PLAN_TRACE_IMPORTS.
import { appendFileSync } from "node:fs";

const out = process.env.PLAN_TRACE_IMPORTS;

export async function load(url, context, nextLoad) {
  if (out) appendFileSync(out, `${url}\n`);
  return nextLoad(url, context);
}
