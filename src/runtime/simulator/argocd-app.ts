import type { ArgoAppChange, ArgoAppSeed, ArgoAppView } from "./argocd-server.js";

/**
 * How the Argo CD double holds an application, and how it shows it: the view its API and events give,
 * and the Application resource as Argo CD's API returns it.
 */

/** `T` with its fields writable. */
export type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/** An application as the double holds it, with the transitions still to come. */
export interface AppState extends Mutable<Omit<ArgoAppView, "operation">> {
  operation?: { phase: string; message: string; startedAt: number; finishedAt?: number };
  seed: ArgoAppSeed;
  previousHealth: string;
  timeline: { at: number; what: ArgoAppChange["what"]; apply: () => void }[];
}

/** A copy of an application's state, for callers and events. */
export function view(app: AppState): ArgoAppView {
  return {
    name: app.name,
    project: app.project,
    sync: app.sync,
    health: app.health,
    healthMessage: app.healthMessage,
    revision: app.revision,
    operationPending: app.operationPending,
    operation: app.operation && { ...app.operation },
  };
}

function iso(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z");
}

/** The Application resource, as Argo CD's API returns it (the parts a client reads). */
export function toJson(app: AppState): unknown {
  const op = app.operation;
  return {
    metadata: { name: app.name, namespace: "argocd" },
    spec: {
      project: app.project,
      destination: { namespace: app.name, server: "https://kubernetes.default.svc" },
    },
    ...(app.operationPending
      ? { operation: { sync: { revision: app.revision }, initiatedBy: { username: "plan" } } }
      : {}),
    status: {
      sync: { status: app.sync, revision: app.revision },
      health: { status: app.health },
      resources: [
        {
          group: "apps",
          version: "v1",
          kind: "Deployment",
          namespace: app.name,
          name: app.name,
          status: app.sync,
          health: { status: app.health, ...(app.healthMessage ? { message: app.healthMessage } : {}) },
        },
      ],
      ...(op
        ? {
            operationState: {
              operation: { sync: { revision: app.revision } },
              phase: op.phase,
              message: op.message,
              startedAt: iso(op.startedAt),
              ...(op.finishedAt !== undefined ? { finishedAt: iso(op.finishedAt) } : {}),
            },
          }
        : {}),
    },
  };
}
