import { readFileSync } from 'node:fs';
import { resolveCollectorConfig } from '@pulse/collector';
import { resolveEngineConfig } from '@pulse/engine';
import { describe, expect, it } from 'vitest';
import {
  EXAMPLE_ANNOTATION,
  OVERLAYS,
  containerEnv,
  containers,
  readDeployYaml,
  renderOverlay,
  schemaProblem,
  selects,
  workloads,
} from './manifests.js';
import type { KubeObject, NamedContainer } from './manifests.js';

/** The variables a service reads: the keys of the env schema in its config.ts. */
function configVariables(service: 'engine' | 'collector'): string[] {
  const url = new URL(`../../services/${service}/src/config.ts`, import.meta.url);
  const source = readFileSync(url, 'utf8');
  return [...source.matchAll(/^ {2}([A-Z][A-Z0-9_]+): z\b/gm)].map((m) => m[1]!);
}

function find(objects: KubeObject[], kind: string, name: string): KubeObject {
  const found = objects.find((o) => o.kind === kind && o.metadata.name === name);
  if (!found) throw new Error(`${kind} ${name} is not rendered`);
  return found;
}

/** Fills env values that Kubernetes supplies at run time. */
function runtimeValue(objects: KubeObject[], { container }: NamedContainer) {
  return (name: string): string => {
    const entry = container.env.find((e: { name: string }) => e.name === name);
    if (entry.valueFrom?.fieldRef?.fieldPath === 'metadata.name') return 'pulse-engine-0';
    const ref = entry.valueFrom?.secretKeyRef;
    const secret = objects.find((o) => o.kind === 'Secret' && o.metadata.name === ref?.name);
    return secret?.stringData?.[ref.key] ?? 'operator-key:web';
  };
}

it('finds the overlays to check', () => {
  expect(OVERLAYS).toEqual(expect.arrayContaining(['dev', 'production']));
});

describe.each(OVERLAYS)('overlay %s', (overlay) => {
  const objects = () => renderOverlay(overlay);

  it('validates every object against the Kubernetes schemas', async () => {
    const problems = await Promise.all(objects().map(schemaProblem));
    expect(objects().length).toBeGreaterThan(0);
    expect(problems.filter(Boolean)).toEqual([]);
  });

  it('gives every container requests, limits, probes and a locked-down context', () => {
    for (const { id, container, workload } of containers(objects())) {
      const { requests, limits } = container.resources ?? {};
      for (const resource of ['cpu', 'memory']) {
        expect(requests?.[resource], `${id} requests.${resource}`).toBeDefined();
        expect(limits?.[resource], `${id} limits.${resource}`).toBeDefined();
      }
      expect(container.readinessProbe, `${id} readinessProbe`).toBeDefined();
      expect(container.livenessProbe, `${id} livenessProbe`).toBeDefined();
      const podSecurity = workload.spec.template.spec.securityContext ?? {};
      expect(podSecurity.runAsNonRoot, `${id} runAsNonRoot`).toBe(true);
      expect(container.securityContext?.readOnlyRootFilesystem, id).toBe(true);
      expect(container.securityContext?.allowPrivilegeEscalation, id).toBe(false);
    }
  });

  it('pins every image to a tag other than latest', () => {
    for (const { id, container } of containers(objects())) {
      const image: string = container.image;
      const tag = /^[^@]+:([^/:@]+)$/.exec(image)?.[1];
      expect(tag ?? image.includes('@sha256:'), `${id} image ${image} has no tag`).toBeTruthy();
      expect(tag, `${id} image ${image}`).not.toBe('latest');
    }
  });

  it('runs the engine as a StatefulSet with a volume per replica', () => {
    const engine = find(objects(), 'StatefulSet', 'pulse-engine');
    const [claim] = engine.spec.volumeClaimTemplates ?? [];
    expect(claim?.spec.resources.requests.storage).toBeDefined();
    const named = containers(objects()).find((c) => c.id === 'pulse-engine/engine')!;
    const { container } = named;
    const mount = container.volumeMounts.find(
      (m: { name: string }) => m.name === claim.metadata.name,
    );
    const { PULSE_DATA_DIR } = containerEnv(objects(), named, () => '');
    expect(PULSE_DATA_DIR?.startsWith(`${mount?.mountPath}/`), 'LMDB on the claim').toBe(true);
    const consumer = container.env.find((e: { name: string }) => e.name === 'PULSE_CONSUMER_NAME');
    expect(consumer?.valueFrom?.fieldRef?.fieldPath).toBe('metadata.name');
    const headless = find(objects(), 'Service', engine.spec.serviceName);
    expect(headless.spec.clusterIP).toBe('None');
  });

  it('has a PodDisruptionBudget selecting each workload', () => {
    const budgets = objects().filter((o) => o.kind === 'PodDisruptionBudget');
    for (const workload of workloads(objects())) {
      const labels = workload.spec.template.metadata.labels;
      const covering = budgets.filter((b) => selects(b.spec.selector.matchLabels, labels));
      expect(covering, `budgets of ${workload.metadata.name}`).toHaveLength(1);
    }
  });

  it('scales the collector Deployment with a CPU HorizontalPodAutoscaler', () => {
    const hpa = find(objects(), 'HorizontalPodAutoscaler', 'pulse-collector');
    const { kind, name } = hpa.spec.scaleTargetRef;
    expect(find(objects(), kind, name).kind).toBe('Deployment');
    expect(
      hpa.spec.metrics.map((m: { resource?: { name: string } }) => m.resource?.name),
    ).toContain('cpu');
    expect(find(objects(), 'Deployment', name).spec.replicas).toBeUndefined();
  });

  it('points every Service at pods that declare its target ports', () => {
    for (const service of objects().filter((o) => o.kind === 'Service')) {
      const backing = containers(objects()).filter(({ workload }) =>
        selects(service.spec.selector, workload.spec.template.metadata.labels),
      );
      expect(backing, `pods of Service ${service.metadata.name}`).not.toHaveLength(0);
      const portNames = backing.flatMap(({ container }) =>
        container.ports.map((p: { name: string }) => p.name),
      );
      for (const port of service.spec.ports) expect(portNames).toContain(port.targetPort);
    }
  });

  it('keeps secret values in example Secrets only', () => {
    const secrets = objects().filter((o) => o.kind === 'Secret');
    for (const secret of secrets) {
      expect(secret.metadata.annotations?.[EXAMPLE_ANNOTATION], secret.metadata.name).toBe('true');
    }
    // Each key of a `key:source,...` list counts on its own, not only the whole value.
    const values = secrets.flatMap((s) => Object.values<string>(s.stringData ?? s.data ?? {}));
    const tokens = values.flatMap((v) => v.split(/[\s,:;=]+/)).filter((t) => t.length >= 8);
    const elsewhere = JSON.stringify(objects().filter((o) => o.kind !== 'Secret'));
    for (const token of tokens)
      expect(elsewhere, 'a secret value outside Secrets').not.toContain(token);
    for (const { id, container } of containers(objects())) {
      const keys = (container.env ?? []).find(
        (e: { name: string }) => e.name === 'PULSE_WRITE_KEYS',
      );
      if (keys) expect(keys.valueFrom?.secretKeyRef, `${id} PULSE_WRITE_KEYS`).toBeDefined();
    }
    const configKeys = objects()
      .filter((o) => o.kind === 'ConfigMap')
      .flatMap((o) => Object.keys(o.data ?? {}));
    expect(configKeys.filter((k) => /KEY|SECRET|PASSWORD|TOKEN/.test(k))).toEqual([]);
  });

  it.each([
    ['engine', 'pulse-engine/engine', resolveEngineConfig],
    ['collector', 'pulse-collector/collector', resolveCollectorConfig],
  ] as const)('sets every %s variable to a value its config accepts', (service, id, resolve) => {
    const named = containers(objects()).find((c) => c.id === id)!;
    const env = containerEnv(objects(), named, runtimeValue(objects(), named));
    expect(Object.keys(env).sort()).toEqual(configVariables(service).sort());
    expect(() => resolve(env)).not.toThrow();
  });
});

it('ships no Secret in the production overlay: operators create pulse-write-keys', () => {
  expect(renderOverlay('production').filter((o) => o.kind === 'Secret')).toEqual([]);
});

describe('NATS kustomization', () => {
  const kustomization = readDeployYaml('k8s/nats/kustomization.yaml');
  const values = readDeployYaml('k8s/nats/values.yaml');

  it('pins the NATS project chart to one version', () => {
    const [chart] = kustomization.helmCharts;
    expect(chart.name).toBe('nats');
    expect(chart.repo).toMatch(/^https:\/\/nats-io\.github\.io\/k8s\/helm\/charts\/?$/);
    expect(chart.version).toMatch(/^\d+\.\d+\.\d+$/);
  });

  it('runs three servers with JetStream on persistent volumes', () => {
    expect(values.config.cluster).toMatchObject({ enabled: true, replicas: 3 });
    expect(values.config.jetstream.fileStore.pvc.enabled).toBe(true);
  });

  it.each(OVERLAYS)('puts overlay %s beside NATS, where NATS_URL finds it', (overlay) => {
    const [chart] = kustomization.helmCharts;
    const objects = renderOverlay(overlay);
    for (const o of objects) expect(o.metadata.namespace, o.metadata.name).toBe(chart.namespace);
    const shared = objects.find((o) => o.metadata.name.startsWith('pulse-shared'));
    expect(new URL(shared?.data.NATS_URL).hostname).toBe(chart.releaseName);
  });

  it.each(OVERLAYS)('replicates streams across the cluster in overlay %s', (overlay) => {
    const shared = renderOverlay(overlay).find((o) => o.metadata.name.startsWith('pulse-shared'));
    const replicas = Number(shared?.data.PULSE_STREAM_REPLICAS);
    expect(replicas).toBeGreaterThan(1);
    expect(replicas).toBeLessThanOrEqual(values.config.cluster.replicas);
  });
});
