/**
 * The parts of the Kubernetes and Argo Workflows API objects that the Argo export writes, as plain data.
 * Field names and shapes follow Argo's JSON Schema (`io.argoproj.workflow.v1alpha1.*`); an IntOrString is
 * written as a string, as that schema has it. Only what the export uses is typed here.
 */

export interface ObjectMeta {
  name?: string;
  generateName?: string;
  namespace?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

export interface ConfigMap {
  apiVersion: "v1";
  kind: "ConfigMap";
  metadata: ObjectMeta;
  immutable: boolean;
  data: Record<string, string>;
}

export interface Parameter {
  name: string;
  value?: string;
  default?: string;
  enum?: string[];
  description?: string;
  globalName?: string;
  valueFrom?: { path?: string; default?: string; supplied?: Record<string, never> };
}

export interface EnvVar {
  name: string;
  value?: string;
  valueFrom?: { secretKeyRef: { name: string; key: string; optional?: boolean } };
}

export interface VolumeMount {
  name: string;
  mountPath: string;
  readOnly?: boolean;
}

export interface Container {
  image: string;
  command: string[];
  args: string[];
  env: EnvVar[];
  volumeMounts: VolumeMount[];
  resources: { requests: Record<string, string>; limits: Record<string, string> };
  securityContext: Record<string, unknown>;
}

export interface RetryStrategy {
  limit: string;
  retryPolicy: "Always" | "OnFailure" | "OnError" | "OnTransientError";
  backoff?: { duration: string; factor: string; cap?: string };
}

export interface DagTask {
  name: string;
  template: string;
  dependencies?: string[];
  when?: string;
}

export interface WorkflowStep {
  name: string;
  template: string;
  when?: string;
}

export interface Template {
  name: string;
  metadata?: { labels?: Record<string, string>; annotations?: Record<string, string> };
  inputs?: { parameters: Parameter[] };
  outputs?: { parameters: Parameter[] };
  activeDeadlineSeconds?: string;
  retryStrategy?: RetryStrategy;
  container?: Container;
  suspend?: Record<string, never>;
  dag?: { tasks: DagTask[] };
  steps?: WorkflowStep[][];
}

export interface Volume {
  name: string;
  configMap?: { name: string; items: { key: string; path: string }[] };
  secret?: { secretName: string; optional: boolean; defaultMode: number };
  emptyDir?: Record<string, never>;
}

export interface WorkflowSpec {
  entrypoint: string;
  onExit?: string;
  serviceAccountName: string;
  parallelism: number;
  synchronization: { mutexes: { name: string }[] };
  arguments: { parameters: Parameter[] };
  podMetadata?: { labels?: Record<string, string>; annotations?: Record<string, string> };
  securityContext: { runAsNonRoot: boolean; runAsUser: number; runAsGroup: number; fsGroup: number };
  volumes: Volume[];
  templates: Template[];
}

export interface Workflow {
  apiVersion: "argoproj.io/v1alpha1";
  kind: "Workflow" | "WorkflowTemplate";
  metadata: ObjectMeta;
  spec: WorkflowSpec;
}

/** Every object the export writes, in the order a cluster should receive them (the ConfigMap first). */
export type Manifest = ConfigMap | Workflow;
