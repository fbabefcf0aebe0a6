// Loaded after tsx (`node --import tsx --import ./bench/built/register.mjs`): the benchmarks' own files run
// through tsx, but every module of src/ they reach is taken from dist/, the JavaScript that `plan` runs.
// NOTE: tsx compiles with esbuild's keepNames, which wraps every function expression in a call that sets
// its name; chevrotain's parser makes closures per rule invocation, so timing src/ through tsx charged a
// third of the parse to that wrapper, a cost no user pays.
import { register } from "node:module";

register("./hooks.mjs", import.meta.url);
