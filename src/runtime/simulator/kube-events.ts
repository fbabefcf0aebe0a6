/**
 * What happens in the Kubernetes double, told to whoever listens (a simulated site reacts: a CSC whose job
 * is deleted stops its heartbeats). Events are delivered synchronously, right after the change and before
 * the API answers the request that made it.
 */
export type KubeEvent =
  /** A deployment's spec.replicas changed (through the scale subresource or a patch of the deployment). */
  | {
      readonly type: "deployment-scaled";
      readonly namespace: string;
      readonly name: string;
      readonly from: number;
      readonly to: number;
    }
  /** After a scale, the deployment's pods match its spec: all Ready, none left terminating. */
  | {
      readonly type: "deployment-settled";
      readonly namespace: string;
      readonly name: string;
      readonly replicas: number;
    }
  | { readonly type: "pod-ready"; readonly namespace: string; readonly name: string }
  /** A deployment was deleted (its pods are on their way out). */
  | { readonly type: "deployment-deleted"; readonly namespace: string; readonly name: string }
  /** A pod is gone (deleted, or done terminating). */
  | {
      readonly type: "pod-deleted";
      readonly namespace: string;
      readonly name: string;
      readonly labels: Readonly<Record<string, string>>;
    }
  /** A job was deleted; `pods` are the pods it owned (terminated unless the policy is Orphan). */
  | {
      readonly type: "job-deleted";
      readonly namespace: string;
      readonly name: string;
      readonly labels: Readonly<Record<string, string>>;
      readonly propagationPolicy: string;
      readonly pods: readonly string[];
    }
  /** An annotation of any object was set (value) or removed (null). */
  | {
      readonly type: "annotation-changed";
      readonly group: string;
      readonly version: string;
      readonly plural: string;
      readonly namespace: string | undefined;
      readonly name: string;
      readonly key: string;
      readonly value: string | null;
    }
  | {
      readonly type: "lease-changed";
      readonly namespace: string;
      readonly name: string;
      readonly change: "created" | "replaced" | "deleted";
      readonly holderIdentity: string | undefined;
    };

/** Listens to the double; returns nothing, and what it throws fails the request being answered (500). */
export type KubeEventListener = (event: KubeEvent) => void;
