import type { StepKind } from "../ir/schema.js";

/**
 * How long each kind of step is expected to take when the procedure does not say (`duration 10m`).
 * NOTE: rough figures from the procedures' own hints ("be patient with container pulling", "~30
 * minutes"); `plan estimate` refines them from the journals of past runs.
 */
export const EXPECTED_SECONDS: Readonly<Record<StepKind, number>> = {
  "csc-transition": 300,
  script: 300,
  "csc-states": 300,
  command: 60,
  "k8s-scale": 60,
  "k8s-delete-jobs": 30,
  "k8s-annotate": 10,
  "k8s-wait-ready": 300,
  "kafka-lag": 600,
  "argocd-sync": 180,
  "registry-set-compatibility": 10,
  "registry-check-compatibility": 10,
  wait: 0,
  manual: 300,
  notify: 60,
  checkpoint: 0,
};

/** The Kubernetes resources that `annotate` knows, by the word a procedure uses. */
export const ANNOTATABLE: Readonly<
  Record<string, { group: string; version: string; plural: string; kind: string }>
> = {
  kafka: { group: "kafka.strimzi.io", version: "v1beta2", plural: "kafkas", kind: "Kafka" },
  kafkanodepool: {
    group: "kafka.strimzi.io",
    version: "v1beta2",
    plural: "kafkanodepools",
    kind: "KafkaNodePool",
  },
  deployment: { group: "apps", version: "v1", plural: "deployments", kind: "Deployment" },
  statefulset: { group: "apps", version: "v1", plural: "statefulsets", kind: "StatefulSet" },
  configmap: { group: "", version: "v1", plural: "configmaps", kind: "ConfigMap" },
  application: { group: "argoproj.io", version: "v1alpha1", plural: "applications", kind: "Application" },
};

/** The global compatibility levels of the Confluent schema registry. */
export const COMPATIBILITY_LEVELS = [
  "NONE",
  "BACKWARD",
  "BACKWARD_TRANSITIVE",
  "FORWARD",
  "FORWARD_TRANSITIVE",
  "FULL",
  "FULL_TRANSITIVE",
] as const;

/** The ScriptQueues' names in LOVE (ScriptQueue SalIndex: MAIN_TEL=1, AUX_TEL=2, OCS=3). */
export const QUEUE_NAMES: Readonly<Record<string, string>> = {
  "ScriptQueue:1": "MTQueue",
  "ScriptQueue:2": "ATQueue",
  "ScriptQueue:3": "OCSQueue",
};
