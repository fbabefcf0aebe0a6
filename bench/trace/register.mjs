// Loaded with `node --import ./bench/trace/register.mjs`: records the URL of every module the ESM loader
// loads (ours and the packages' entry points) in the file named by PLAN_TRACE_IMPORTS.
import { register } from "node:module";

register("./hooks.mjs", import.meta.url);
