/**
 * The version of the plan format, in a module of its own so that the compiler can stamp plans without
 * loading zod (which `schema.ts` needs): `plan check` starts faster without it (bench/RESULTS.md).
 */
export const FORMAT_VERSION = 1;
