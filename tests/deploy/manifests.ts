import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments } from 'yaml';

/** The repository's `deploy/` folder. */
export const DEPLOY_DIR = fileURLToPath(new URL('../../deploy/', import.meta.url));

/** Overlay folder names under `deploy/k8s/overlays`, each one installation. */
export const OVERLAYS = readdirSync(join(DEPLOY_DIR, 'k8s', 'overlays')).sort();

/** `kubectl` to render with; CI and developer machines have it at /usr/bin/kubectl. */
const KUBECTL = process.env.KUBECTL ?? 'kubectl';

/** Annotation that marks a Secret whose values are public examples. */
export const EXAMPLE_ANNOTATION = 'pulse.example/values';

/** A rendered Kubernetes object, loosely typed: the schema check comes separately. */
export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: {
    name: string;
    namespace?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
  };
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- manifests are untyped YAML
  [field: string]: any;
}

/** Thrown when `kubectl` is missing: the manifest checks need it and must not skip. */
export class KubectlMissingError extends Error {
  override name = 'KubectlMissingError';
}

const rendered = new Map<string, KubeObject[]>();

/** Renders `deploy/k8s/overlays/<overlay>` with `kubectl kustomize` (cached per overlay). */
export function renderOverlay(overlay: string): KubeObject[] {
  let objects = rendered.get(overlay);
  if (!objects) {
    objects = parseObjects(kustomize(join(DEPLOY_DIR, 'k8s', 'overlays', overlay)));
    rendered.set(overlay, objects);
  }
  return objects;
}

function kustomize(dir: string): string {
  try {
    return execFileSync(KUBECTL, ['kustomize', dir], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new KubectlMissingError(
        `'${KUBECTL}' was not found: the manifest test renders the overlays with ` +
          '`kubectl kustomize`; install kubectl (or set KUBECTL to its path)',
        { cause: err },
      );
    }
    const stderr = (err as { stderr?: string }).stderr ?? '';
    throw new Error(`kubectl kustomize ${dir} failed: ${stderr.trim()}`, { cause: err });
  }
}

/** Parses a multi-document YAML stream into objects, refusing YAML errors. */
export function parseObjects(text: string): KubeObject[] {
  return parseAllDocuments(text).map((doc) => {
    if (doc.errors.length > 0) throw doc.errors[0]!;
    return doc.toJS() as KubeObject;
  });
}

/** Reads one YAML file of the repository's `deploy/` folder. */
export function readDeployYaml(path: string): KubeObject {
  return parseObjects(readFileSync(join(DEPLOY_DIR, path), 'utf8'))[0]!;
}

type ModelClass = new (data: unknown) => { validate(): void };

/**
 * Validates an object against the Kubernetes OpenAPI schema of its
 * apiVersion and kind (kubernetes-models); returns the problem, or undefined.
 */
export async function schemaProblem(object: KubeObject): Promise<string | undefined> {
  const id = `${object.apiVersion}/${object.kind} ${object.metadata?.name}`;
  let Model: ModelClass | undefined;
  try {
    const module = (await import(`kubernetes-models/${object.apiVersion}/${object.kind}`)) as {
      [kind: string]: ModelClass | undefined;
    };
    Model = module[object.kind];
  } catch {
    Model = undefined;
  }
  if (!Model) return `${id}: no schema for this apiVersion and kind`;
  try {
    new Model(object).validate();
    return undefined;
  } catch (err) {
    return `${id}: ${(err as Error).message}`;
  }
}

/** Workloads (Deployment, StatefulSet) among the objects. */
export function workloads(objects: KubeObject[]): KubeObject[] {
  return objects.filter((o) => o.kind === 'Deployment' || o.kind === 'StatefulSet');
}

/** One container of a workload, named `<workload>/<container>`. */
export interface NamedContainer {
  id: string;
  workload: KubeObject;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- a container spec
  container: any;
}

/** Every container and init container of every workload. */
export function containers(objects: KubeObject[]): NamedContainer[] {
  return workloads(objects).flatMap((workload) => {
    const spec = workload.spec.template.spec;
    const all = [...(spec.initContainers ?? []), ...spec.containers];
    return all.map((container) => ({
      id: `${workload.metadata.name}/${container.name}`,
      workload,
      container,
    }));
  });
}

/** Whether every `matchLabels` entry of a selector is among `labels`. */
export function selects(
  matchLabels: Record<string, string> | undefined,
  labels: Record<string, string> | undefined,
): boolean {
  const wanted = Object.entries(matchLabels ?? {});
  return wanted.length > 0 && wanted.every(([key, value]) => labels?.[key] === value);
}

/**
 * The environment a container starts with: its ConfigMaps through `envFrom`,
 * then `env`. Values from the downward API or a Secret come from `external`.
 */
export function containerEnv(
  objects: KubeObject[],
  { container }: NamedContainer,
  external: (name: string) => string,
): Record<string, string> {
  const env: Record<string, string> = {};
  for (const source of container.envFrom ?? []) {
    const name = source.configMapRef?.name;
    const map = objects.find((o) => o.kind === 'ConfigMap' && o.metadata.name === name);
    if (!map) throw new Error(`envFrom names ConfigMap '${name}', which is not rendered`);
    Object.assign(env, map.data);
  }
  for (const entry of container.env ?? []) {
    env[entry.name] = entry.value ?? external(entry.name);
  }
  return env;
}
