import { randomBytes, timingSafeEqual } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { isLocalProgram, runLocal } from "./local-commands.js";
import type { SiteParts } from "./site-wiring.js";

/**
 * The door through which the command shims of a simulated site reach it: HTTP on 127.0.0.1, one route,
 * `POST /run {"program", "args"}`, answered `{stdout, stderr, exitCode}`; every request must carry the
 * site's token (`Authorization: Bearer`), which only the processes the site starts are given. Every
 * program run is recorded.
 */
export interface ControlServer {
  readonly url: string;
  readonly token: string;
  /** The programs run through the shims, in order. */
  readonly runs: readonly {
    readonly program: string;
    readonly args: readonly string[];
    readonly exitCode: number;
  }[];
  close(): Promise<void>;
}

/** The environment variables a shim reads: where the site is, and its token. */
export const CONTROL_URL_ENV = "PLAN_SIMULATED_SITE";
export const CONTROL_TOKEN_ENV = "PLAN_SIMULATED_SITE_TOKEN";

export async function startControlServer(parts: SiteParts): Promise<ControlServer> {
  const token = randomBytes(18).toString("base64url");
  const runs: { program: string; args: string[]; exitCode: number }[] = [];
  const local = {
    cluster: parts.kube.cluster,
    context: parts.site.kubernetes?.context ?? "",
    currentContext: () => parts.kubectlContext.current,
    useContext: (c: string) => {
      parts.kubectlContext.current = c;
      parts.save();
    },
    layout: parts.layout,
    kafka: parts.kafka.cluster,
    kafkaSite: parts.site.kafka?.toolsSite ?? parts.site.name,
  };
  const answer = (res: ServerResponse, status: number, body: unknown) => {
    const text = JSON.stringify(body);
    res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(text) });
    res.end(text);
  };
  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const given = Buffer.from(/^Bearer (.+)$/.exec(req.headers.authorization ?? "")?.[1] ?? "");
    const expected = Buffer.from(token);
    if (given.length !== expected.length || !timingSafeEqual(given, expected))
      return answer(res, 401, { error: "not this site's token" });
    if (req.method !== "POST" || req.url !== "/run") return answer(res, 404, { error: "POST /run only" });
    let body: { program?: unknown; args?: unknown; input?: unknown };
    try {
      body = JSON.parse(Buffer.concat(chunks).toString("utf8"));
    } catch {
      return answer(res, 400, { error: "not JSON" });
    }
    const { program, args } = body;
    if (typeof program !== "string" || !Array.isArray(args) || !args.every((a) => typeof a === "string")) {
      return answer(res, 400, { error: "give program (a string) and args (strings)" });
    }
    if (!isLocalProgram(program)) {
      return answer(res, 200, { stdout: "", stderr: `${program}: command not found\n`, exitCode: 127 });
    }
    parts.timeline.settle();
    const reply = runLocal(program, args, local, typeof body.input === "string" ? body.input : "");
    runs.push({ program, args, exitCode: reply.exitCode });
    parts.save();
    return answer(res, 200, reply);
  };
  const server = createServer((req, res) => {
    handle(req, res).catch((e) =>
      answer(res, 500, {
        stdout: "",
        stderr: `the simulated site failed: ${(e as Error).message}\n`,
        exitCode: 70,
      }),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    token,
    runs,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
