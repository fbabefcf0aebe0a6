/**
 * The adapter over the real client library for this system. Its methods are added with the executors that
 * use them (see src/runtime/executor.ts for the contract).
 */
// biome-ignore lint/suspicious/noEmptyInterface: filled in by the executors of this system
export interface CommandRunner {}
