import { generateKeyPair } from "node:crypto";
import { chmod, writeFile } from "node:fs/promises";
import { createServer, type Server, type Socket } from "node:net";
import { join } from "node:path";
import { promisify } from "node:util";
import ssh2 from "ssh2";
import type { PlanHost } from "../../ir/schema.js";
import type { SshOptions } from "../clients/ssh.js";

/**
 * An SSH server double for the simulated site and the tests: the real SSH protocol (ssh2), on 127.0.0.1
 * only, with a host key made at start, public-key login with a test key, and every `exec` request
 * recorded and answered by a pluggable handler. The real OpenSSH client talks to it.
 */

/** A key pair: the private key as PEM (OpenSSH and ssh2 both read it), the public key as ssh writes it. */
export interface SshKeyPair {
  readonly privatePem: string;
  /** `ecdsa-sha2-nistp256 AAAA...`, as in known_hosts and authorized_keys. */
  readonly publicLine: string;
}

/** A command a client asked the double to run. */
export interface ExecRequest {
  readonly user: string;
  /** The command string exactly as the client sent it in its `exec` request. */
  readonly command: string;
}

export interface ExecReply {
  readonly stdout?: string | Uint8Array;
  readonly stderr?: string | Uint8Array;
  readonly exitCode: number;
}

/** Answers an exec request; `signal` aborts when the client goes away first. */
export type ExecHandler = (request: ExecRequest, signal: AbortSignal) => ExecReply | Promise<ExecReply>;

export interface SshServerDoubleOptions {
  /** Answers exec requests; default: every command succeeds with no output. */
  readonly handler?: ExecHandler;
  /** The only user allowed to log in; default: any user with the test key. */
  readonly user?: string;
  /** Public keys (`publicLine`) allowed to log in besides the test key; `false` leaves the test key out. */
  readonly authorizedKeys?: readonly string[];
  readonly allowTestKey?: boolean;
}

const generate = promisify(generateKeyPair);

/** Makes an ECDSA P-256 key pair with node's crypto. */
export async function generateSshKeyPair(): Promise<SshKeyPair> {
  const { privateKey } = await generate("ec", {
    namedCurve: "prime256v1",
    privateKeyEncoding: { type: "sec1", format: "pem" },
    publicKeyEncoding: { type: "spki", format: "pem" },
  });
  const parsed = parseOne(privateKey);
  return { privatePem: privateKey, publicLine: `${parsed.type} ${parsed.getPublicSSH().toString("base64")}` };
}

function parseOne(key: string): ssh2.ParsedKey {
  const parsed = ssh2.utils.parseKey(key);
  if (parsed instanceof Error) throw parsed;
  return Array.isArray(parsed) ? parsed[0]! : parsed;
}

/** The SSH server double. Start it with `SshServerDouble.start()`, stop it with `close()`. */
export class SshServerDouble {
  /** Every exec request, in the order they came. */
  readonly execs: ExecRequest[] = [];
  /** Every login attempt that offered a signed key, and whether it was let in. */
  readonly logins: { readonly user: string; readonly accepted: boolean }[] = [];
  handler: ExecHandler;
  private refusing = false;

  private constructor(
    private readonly server: Server,
    private readonly sockets: Set<Socket>,
    readonly port: number,
    readonly hostKey: SshKeyPair,
    readonly testKey: SshKeyPair,
    handler: ExecHandler,
  ) {
    this.handler = handler;
  }

  /** Starts a double on 127.0.0.1 on a port the OS picks, with a new host key and a new test key. */
  static async start(options: SshServerDoubleOptions = {}): Promise<SshServerDouble> {
    const [hostKey, testKey] = await Promise.all([generateSshKeyPair(), generateSshKeyPair()]);
    const allowed = [
      ...(options.allowTestKey === false ? [] : [testKey.publicLine]),
      ...(options.authorizedKeys ?? []),
    ];
    const keys = allowed.map((line) => parseOne(line));
    let double: SshServerDouble | undefined;
    const ssh = new ssh2.Server({ hostKeys: [hostKey.privatePem] }, (client) => {
      let user = "";
      const disconnected = new AbortController();
      client.on("error", () => {});
      client.on("close", () => disconnected.abort(new Error("the client went away")));
      client.on("authentication", (ctx) => {
        user = ctx.username;
        if (ctx.method !== "publickey" || (options.user !== undefined && ctx.username !== options.user)) {
          return ctx.reject(["publickey"]);
        }
        const key = keys.find((k) => k.type === ctx.key.algo && k.getPublicSSH().equals(ctx.key.data));
        if (!key) return ctx.reject(["publickey"]);
        if (!ctx.signature || !ctx.blob) return ctx.accept(); // the client asks whether the key would do
        const accepted = key.verify(ctx.blob, ctx.signature, ctx.hashAlgo) === true;
        double?.logins.push({ user: ctx.username, accepted });
        return accepted ? ctx.accept() : ctx.reject(["publickey"]);
      });
      client.on("ready", () => {
        client.on("session", (acceptSession) => {
          const session = acceptSession();
          session.on("pty", (_accept, reject) => reject?.());
          session.on("shell", (_accept, reject) => reject?.());
          session.on("subsystem", (_accept, reject) => reject?.());
          session.on("exec", (accept, _reject, info) => {
            const channel = accept();
            const request = { user, command: info.command };
            double?.execs.push(request);
            const closed = new AbortController();
            channel.on("close", () => closed.abort(new Error("the client went away")));
            const gone = AbortSignal.any([closed.signal, disconnected.signal]);
            void (async () => {
              let reply: ExecReply;
              try {
                reply = await double!.handler(request, gone);
              } catch (e) {
                reply = { stderr: `ssh double: the handler failed: ${(e as Error).message}\n`, exitCode: 1 };
              }
              if (gone.aborted) return;
              if (reply.stdout !== undefined && reply.stdout.length > 0) channel.write(reply.stdout);
              if (reply.stderr !== undefined && reply.stderr.length > 0) channel.stderr.write(reply.stderr);
              channel.exit(reply.exitCode);
              channel.end();
            })();
          });
        });
      });
    });
    // NOTE: the double owns the TCP listener and hands each socket to ssh2, so that it can track live
    // connections, close the port (to refuse) and open it again.
    const sockets = new Set<Socket>();
    const listener = createServer((socket) => {
      sockets.add(socket);
      socket.on("close", () => sockets.delete(socket));
      ssh.injectSocket(socket);
    });
    const port = await listen(listener, 0);
    double = new SshServerDouble(
      listener,
      sockets,
      port,
      hostKey,
      testKey,
      options.handler ?? (() => ({ exitCode: 0 })),
    );
    return double;
  }

  /** The `known_hosts` line of this double's host key. */
  knownHostsLine(): string {
    return `[127.0.0.1]:${this.port} ${this.hostKey.publicLine}`;
  }

  /** A plan host that points at this double. */
  host(name = "double", user = "tester"): PlanHost {
    return { name, address: "127.0.0.1", port: this.port, user, roles: [] };
  }

  /**
   * Refuses new connections (as a host whose ssh server is down: the port is closed, clients get
   * "Connection refused"), or takes them again on the same port. Live connections are left alone.
   */
  async refuseConnections(refuse: boolean): Promise<void> {
    if (refuse === this.refusing) return;
    this.refusing = refuse;
    if (refuse) this.server.close();
    else await listen(this.server, this.port);
  }

  /** Stops listening and ends every live connection. */
  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    if (this.refusing) return;
    this.refusing = true;
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

function listen(server: Server, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, "127.0.0.1", () => {
      server.off("error", reject);
      const address = server.address();
      resolve(typeof address === "object" && address ? address.port : port);
    });
  });
}

/** The files the OpenSSH client needs to reach a double without asking anything. */
export interface SshClientFiles {
  readonly identityFile: string;
  readonly knownHostsFile: string;
  /** Options for the runtime's CommandRunner: these files, and no ssh config file. */
  readonly options: SshOptions;
}

/**
 * Writes, in `dir`, the test key as an identity file (mode 0600, as ssh demands) and a known_hosts file
 * with the double's host key (or `knownHostsLine`, to rehearse a wrong host key), and returns the ssh
 * options that use them.
 */
export async function writeSshClientFiles(
  dir: string,
  double: SshServerDouble,
  overrides: { readonly knownHostsLine?: string; readonly key?: SshKeyPair } = {},
): Promise<SshClientFiles> {
  const identityFile = join(dir, "id_ecdsa");
  const knownHostsFile = join(dir, "known_hosts");
  await writeFile(identityFile, (overrides.key ?? double.testKey).privatePem, { mode: 0o600 });
  await chmod(identityFile, 0o600);
  await writeFile(knownHostsFile, `${overrides.knownHostsLine ?? double.knownHostsLine()}\n`);
  return { identityFile, knownHostsFile, options: { identityFile, knownHostsFile, configFile: "none" } };
}
