import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

/**
 * The simulated site's throwaway certificates (see tls/README.md): a CA, and a server certificate for
 * 127.0.0.1 and localhost that it signed. They protect nothing; their keys are public.
 */

export interface SimulatorTls {
  /** The path of the CA certificate, as a site's `caFile` would give it. */
  readonly caFile: string;
  readonly ca: Buffer;
  readonly cert: Buffer;
  readonly key: Buffer;
}

// NOTE: tsc does not copy the certificates to dist/, so the compiled code looks for them in src/ too.
function tlsDir(): string {
  const beside = fileURLToPath(new URL("./tls/", import.meta.url));
  if (existsSync(`${beside}ca.crt`)) return beside;
  return fileURLToPath(new URL("../../../src/runtime/simulator/tls/", import.meta.url));
}

/** Reads the certificates; throws when they cannot be found. */
export function simulatorTls(): SimulatorTls {
  const dir = tlsDir();
  return {
    caFile: `${dir}ca.crt`,
    ca: readFileSync(`${dir}ca.crt`),
    cert: readFileSync(`${dir}server.crt`),
    key: readFileSync(`${dir}server.key`),
  };
}
