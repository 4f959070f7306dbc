// deploy/kubernetes: kubeconform validates every manifest against the vendored strict schemas (offline),
// and plain parsing checks what a schema cannot: that the pieces fit each other and Klaxon's config.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { parse } from 'yaml';
import { configKeys, loadConfig } from '../runtime/config';
import { workflowCacheFor } from '../runtime/worker-tuning';
import {
  KUBERNETES_DIR,
  kubeconform,
  loadResources,
  manifestFiles,
  quantity,
  type Resource,
} from './helpers/kubernetes';

interface Probe {
  httpGet?: { path: string; port: string | number };
}
interface EnvVar {
  name: string;
  value?: string;
  valueFrom?: { secretKeyRef?: { name: string; key: string; optional?: boolean } };
}
interface Container {
  name: string;
  image: string;
  ports?: { name?: string; containerPort: number }[];
  env?: EnvVar[];
  envFrom?: { configMapRef?: { name: string }; secretRef?: { name: string } }[];
  resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
  livenessProbe?: Probe;
  readinessProbe?: Probe;
  startupProbe?: Probe;
  securityContext?: {
    readOnlyRootFilesystem?: boolean;
    allowPrivilegeEscalation?: boolean;
    runAsNonRoot?: boolean;
    capabilities?: { drop?: string[] };
  };
  volumeMounts?: { name: string; mountPath: string; readOnly?: boolean }[];
}
interface PodSpec {
  containers: Container[];
  terminationGracePeriodSeconds?: number;
  automountServiceAccountToken?: boolean;
  serviceAccountName?: string;
  securityContext?: { runAsNonRoot?: boolean; runAsUser?: number; seccompProfile?: { type: string } };
  volumes?: { name: string; emptyDir?: object; secret?: { secretName: string } }[];
}
interface Deployment extends Resource {
  spec: {
    replicas: number;
    selector: { matchLabels: Record<string, string> };
    template: { metadata: { labels: Record<string, string> }; spec: PodSpec };
  };
}
interface Selecting extends Resource {
  spec: { selector: Record<string, string> | { matchLabels: Record<string, string> } };
}

const resources = loadResources();
const ofKind = <T extends Resource>(kind: string) => resources.filter((r): r is T => r.kind === kind);
const deployments = ofKind<Deployment>('Deployment');
const deployment = (name: string) => deployments.find((d) => d.metadata.name === name)!;
const configMap = ofKind<Resource & { data: Record<string, string> }>('ConfigMap').find(
  (c) => c.metadata.name === 'klaxon-config',
);

/** Whether every label of `selector` is on `labels` (an empty selector would select everything: not accepted). */
const selects = (selector: Record<string, string>, labels: Record<string, string>) =>
  Object.keys(selector).length > 0 && Object.entries(selector).every(([k, v]) => labels[k] === v);
const matchLabelsOf = (r: Selecting) =>
  'matchLabels' in r.spec.selector
    ? (r.spec.selector.matchLabels as Record<string, string>)
    : (r.spec.selector as Record<string, string>);
/** The one Deployment whose pods `r` selects. */
function selectedDeployment(r: Selecting): Deployment {
  const selected = deployments.filter((d) => selects(matchLabelsOf(r), d.spec.template.metadata.labels));
  assert.equal(
    selected.length,
    1,
    `${r.kind} ${r.metadata.name} selects the pods of ${selected.length} Deployments`,
  );
  return selected[0]!;
}
/** A container's environment as the pod sees it: the ConfigMap's data, then its own plain values. */
function environment(c: Container): Record<string, string> {
  const fromConfigMap = (c.envFrom ?? []).some((e) => e.configMapRef?.name === 'klaxon-config')
    ? (configMap?.data ?? {})
    : {};
  return {
    ...fromConfigMap,
    ...Object.fromEntries((c.env ?? []).filter((e) => e.value !== undefined).map((e) => [e.name, e.value!])),
  };
}
const containers = deployments.flatMap((d) => d.spec.template.spec.containers.map((c) => ({ d, c })));

/** What goes only in the Secret klaxon-secrets, never in the ConfigMap or a plain value. */
const SECRET_KEYS = [
  'DATABASE_URL',
  'TEMPORAL_PAYLOAD_KEYS',
  'LINK_SIGNING_SECRET',
  'METRICS_TOKEN',
  'SMTP_URL',
  'TWILIO_AUTH_TOKEN',
  'TEMPORAL_API_KEY',
];
/** Node's own variables, read by node rather than by runtime/config.ts. */
const NODE_VARIABLES = ['NODE_OPTIONS'];

describe('kubeconform on deploy/kubernetes', () => {
  it('finds every resource valid against the strict schemas, none skipped or without a schema', () => {
    const files = manifestFiles().map((f) => path.join(KUBERNETES_DIR, f));
    const run = kubeconform(files);
    const problems = run.resources
      .filter((r) => r.status !== 'statusValid')
      .map((r) => `${r.filename}: ${r.kind} ${r.name}: ${r.status} ${r.msg}`);
    assert.deepEqual(problems, []);
    assert.equal(run.status, 0);
    assert.deepEqual(run.summary, { valid: resources.length, invalid: 0, errors: 0, skipped: 0 });
    assert.deepEqual(
      run.resources.map((r) => `${r.kind}/${r.name}`).sort(),
      resources.map((r) => `${r.kind}/${r.metadata.name}`).sort(),
    );
  });

  describe('on manifests that are wrong', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'klaxon-kubeconform-'));
    after(() => rmSync(dir, { recursive: true, force: true }));
    const broken = (name: string, file: string, from: string | RegExp, to: string) => {
      const text = readFileSync(path.join(KUBERNETES_DIR, file), 'utf8');
      const changed = text.replace(from, to);
      assert.notEqual(changed, text, `${from} is in ${file}`);
      writeFileSync(path.join(dir, name), changed);
      return path.join(dir, name);
    };

    it('reports a string where an integer belongs, and a misspelt field', () => {
      const files = [
        broken('replicas.yaml', 'api-deployment.yaml', /replicas: 2/, 'replicas: "two"'),
        broken('misspelt.yaml', 'worker-deployment.yaml', /^ {6}containers:/m, '      contaners:'),
        broken('nested.yaml', 'servicemonitor.yaml', /interval: 30s/, 'intervall: 30s'),
      ];
      const run = kubeconform(files);
      assert.notEqual(run.status, 0);
      // kubeconform reports the resources of a run in no fixed order, and nested.yaml has two (one broken).
      const invalid = (file: string) =>
        run.resources
          .filter((r) => path.basename(r.filename) === file && r.status === 'statusInvalid')
          .map((r) => r.msg);
      assert.equal(invalid('replicas.yaml').length, 1);
      assert.match(invalid('replicas.yaml')[0]!, /\/spec\/replicas': got string, want integer/);
      assert.equal(invalid('misspelt.yaml').length, 1);
      assert.match(invalid('misspelt.yaml')[0]!, /additional properties 'contaners' not allowed/);
      assert.equal(invalid('nested.yaml').length, 1);
      assert.match(invalid('nested.yaml')[0]!, /additional properties 'intervall' not allowed/);
      assert.equal(run.summary.invalid, 3);
    });

    it('still accepts what the API server accepts: int-or-string either way, a quantity as a number', () => {
      const files = [
        broken('percent.yaml', 'worker-pdb.yaml', /minAvailable: 1/, "minAvailable: '50%'"),
        broken('number.yaml', 'api-deployment.yaml', /cpu: '1'/, 'cpu: 1'),
        broken('port.yaml', 'api-service.yaml', /targetPort: http/, 'targetPort: 3000'),
      ];
      const run = kubeconform(files);
      assert.deepEqual(
        run.resources.filter((r) => r.status !== 'statusValid').map((r) => r.msg),
        [],
      );
      assert.equal(run.summary.valid, 3);
    });

    it('fails a kind it has no schema for instead of downloading one or skipping it', () => {
      const file = path.join(dir, 'secret.yaml');
      writeFileSync(file, 'apiVersion: v1\nkind: Secret\nmetadata:\n  name: klaxon-secrets\n');
      const run = kubeconform([file]);
      assert.notEqual(run.status, 0);
      assert.equal(run.resources[0]?.status, 'statusError');
      assert.match(run.resources[0]!.msg, /could not find schema for Secret/);
      assert.equal(run.summary.skipped, 0);
    });
  });
});

describe('the manifests fit together', () => {
  it('kustomization.yaml lists exactly the manifest files', () => {
    const kustomization = parse(readFileSync(path.join(KUBERNETES_DIR, 'kustomization.yaml'), 'utf8')) as {
      resources: string[];
    };
    assert.deepEqual([...kustomization.resources].sort(), manifestFiles());
  });

  it('runs the API and the worker, two replicas each, from one image', () => {
    assert.deepEqual(deployments.map((d) => d.metadata.name).sort(), ['klaxon-api', 'klaxon-worker']);
    for (const d of deployments) {
      assert.equal(d.spec.replicas, 2, d.metadata.name);
      assert.ok(
        selects(d.spec.selector.matchLabels, d.spec.template.metadata.labels),
        `${d.metadata.name}: its selector matches its pods`,
      );
    }
    assert.equal(new Set(containers.map(({ c }) => c.image)).size, 1);
  });

  it('probes each container for liveness and readiness on a named port it has', () => {
    for (const { d, c } of containers) {
      const names = (c.ports ?? []).map((p) => p.name);
      for (const kind of ['livenessProbe', 'readinessProbe'] as const) {
        const port = c[kind]?.httpGet?.port;
        assert.ok(
          typeof port === 'string' && names.includes(port),
          `${d.metadata.name}: ${kind} on a named port of ${names.join(', ')}`,
        );
      }
      assert.equal(c.livenessProbe?.httpGet?.path, '/healthz', d.metadata.name);
      assert.equal(c.readinessProbe?.httpGet?.path, '/readyz', d.metadata.name);
    }
    const worker = deployment('klaxon-worker').spec.template.spec.containers[0]!;
    assert.ok(worker.startupProbe?.httpGet, 'the worker has a startup probe');
  });

  it('runs every container as non-root, read-only, without privileges', () => {
    for (const { d, c } of containers) {
      const pod = d.spec.template.spec;
      assert.ok(
        pod.securityContext?.runAsNonRoot ?? c.securityContext?.runAsNonRoot,
        `${d.metadata.name}: runAsNonRoot`,
      );
      assert.equal(pod.securityContext?.runAsUser, 1000, `${d.metadata.name}: the image's node user`);
      assert.equal(pod.securityContext?.seccompProfile?.type, 'RuntimeDefault', d.metadata.name);
      assert.equal(
        c.securityContext?.readOnlyRootFilesystem,
        true,
        `${d.metadata.name}: readOnlyRootFilesystem`,
      );
      assert.equal(c.securityContext?.allowPrivilegeEscalation, false, d.metadata.name);
      assert.deepEqual(c.securityContext?.capabilities?.drop, ['ALL'], d.metadata.name);
      assert.equal(pod.automountServiceAccountToken, false, d.metadata.name);
      const tmp = c.volumeMounts?.find((m) => m.mountPath === '/tmp');
      assert.ok(
        tmp && pod.volumes?.find((v) => v.name === tmp.name)?.emptyDir,
        `${d.metadata.name}: an emptyDir on /tmp`,
      );
    }
    for (const sa of ofKind<Resource & { automountServiceAccountToken?: boolean }>('ServiceAccount'))
      assert.equal(sa.automountServiceAccountToken, false, sa.metadata.name);
  });

  it('gives every container cpu and memory requests no larger than its limits', () => {
    for (const { d, c } of containers)
      for (const resource of ['cpu', 'memory']) {
        const request = c.resources?.requests?.[resource];
        const limit = c.resources?.limits?.[resource];
        assert.ok(request && limit, `${d.metadata.name}: ${resource} request and limit`);
        assert.ok(
          quantity(request) <= quantity(limit),
          `${d.metadata.name}: ${resource} request ${request} > limit ${limit}`,
        );
      }
  });

  it("sizes the worker's heap, cache and memory limit by the README's rule", () => {
    const worker = deployment('klaxon-worker').spec.template.spec.containers[0]!;
    const env = environment(worker);
    const heapMiB = Number(/--max-old-space-size=(\d+)/.exec(env.NODE_OPTIONS ?? '')?.[1]);
    assert.ok(heapMiB > 0, 'NODE_OPTIONS sets the heap');
    // The heap plus about 0.5 GB for the SDK's native core, buffers and code (README, "Production runtime").
    assert.ok(
      quantity(worker.resources!.limits!.memory!) >= (heapMiB + 512) * 2 ** 20,
      'memory limit ≥ heap + 512 MiB',
    );
    // A cache larger than the heap's default would not fit in it.
    assert.ok(
      Number(env.WORKER_MAX_CACHED_WORKFLOWS) <= workflowCacheFor(heapMiB),
      'cache ≤ what the heap holds',
    );
  });

  it('lets a pod finish shutting down within its grace period', () => {
    for (const { d, c } of containers) {
      const env = environment(c);
      const delay = Number(env.SHUTDOWN_READINESS_DELAY_SECONDS);
      const timeout = Number(env.SHUTDOWN_TIMEOUT_SECONDS);
      assert.ok(delay > 0 && timeout > 0, `${d.metadata.name}: both shutdown settings`);
      assert.ok(
        d.spec.template.spec.terminationGracePeriodSeconds! > delay + timeout,
        `${d.metadata.name}: grace > ${delay} + ${timeout}`,
      );
    }
  });

  it('keeps one pod of each Deployment through a disruption', () => {
    const budgets = ofKind<Selecting & { spec: { minAvailable?: number } }>('PodDisruptionBudget');
    for (const d of deployments) {
      const own = budgets.filter((b) => selectedDeployment(b) === d);
      assert.equal(own.length, 1, `${d.metadata.name}: one PodDisruptionBudget`);
      assert.equal(own[0]!.spec.minAvailable, 1);
      assert.ok(
        own[0]!.spec.minAvailable! < d.spec.replicas,
        `${d.metadata.name}: a node can still be drained`,
      );
    }
  });

  it("routes each Service to one Deployment's pods on ports they have", () => {
    const services = ofKind<
      Selecting & { spec: { ports: { name: string; port: number; targetPort: string }[] } }
    >('Service');
    for (const s of services) {
      const names = selectedDeployment(s).spec.template.spec.containers.flatMap((c) =>
        (c.ports ?? []).map((p) => p.name),
      );
      for (const p of s.spec.ports)
        assert.ok(names.includes(p.targetPort), `${s.metadata.name}: targetPort ${p.targetPort}`);
    }
    const api = services.find((s) => s.metadata.name === 'klaxon-api')!;
    assert.equal(selectedDeployment(api).metadata.name, 'klaxon-api');
    assert.deepEqual(
      api.spec.ports.map((p) => [p.port, p.targetPort]),
      [[80, 'http']],
    );
  });

  it('scrapes ports the selected Services have, the API with its metrics token', () => {
    interface Endpoint {
      port: string;
      authorization?: { credentials?: { name: string; key: string } };
    }
    const services = ofKind<Selecting & { spec: { ports: { name: string }[] } }>('Service');
    const monitors = ofKind<Selecting & { spec: { endpoints: Endpoint[] } }>('ServiceMonitor');
    const scraped = new Set<string>();
    for (const m of monitors) {
      const selected = services.filter((s) => selects(matchLabelsOf(m), s.metadata.labels ?? {}));
      assert.ok(selected.length > 0, `${m.metadata.name} selects a Service`);
      for (const e of m.spec.endpoints) {
        assert.ok(
          selected.some((s) => s.spec.ports.some((p) => p.name === e.port)),
          `${m.metadata.name}: port ${e.port}`,
        );
        selected.forEach((s) => scraped.add(`${s.metadata.name}:${e.port}`));
        if (e.port === 'http')
          assert.deepEqual(e.authorization?.credentials, { name: 'klaxon-secrets', key: 'METRICS_TOKEN' });
      }
    }
    assert.deepEqual([...scraped].sort(), [
      'klaxon-api:http',
      'klaxon-worker:metrics',
      'klaxon-worker:sdk-metrics',
    ]);
  });
});

describe('configuration and secrets', () => {
  it('applies no Secret: secrets come by reference only', () => {
    assert.deepEqual(ofKind('Secret'), []);
    assert.ok(configMap, 'the ConfigMap klaxon-config');
    for (const key of SECRET_KEYS) assert.ok(!(key in configMap.data), `${key} is not in the ConfigMap`);
    for (const { d, c } of containers) {
      assert.ok(
        (c.envFrom ?? []).some((e) => e.configMapRef?.name === 'klaxon-config'),
        `${d.metadata.name}: envFrom klaxon-config`,
      );
      assert.ok(
        !(c.envFrom ?? []).some((e) => e.secretRef),
        `${d.metadata.name}: no secretRef envFrom (keys are named one by one)`,
      );
      for (const e of c.env ?? []) {
        if (SECRET_KEYS.includes(e.name))
          assert.equal(e.value, undefined, `${d.metadata.name}: ${e.name} has no plain value`);
        const ref = e.valueFrom?.secretKeyRef;
        if (ref)
          assert.deepEqual([ref.name, ref.key], ['klaxon-secrets', e.name], `${d.metadata.name}: ${e.name}`);
      }
      assert.equal(environment(c).DATABASE_URL, undefined, d.metadata.name);
      assert.ok(
        c.env?.some(
          (e) => e.name === 'DATABASE_URL' && e.valueFrom?.secretKeyRef && !e.valueFrom.secretKeyRef.optional,
        ),
        `${d.metadata.name}: DATABASE_URL from the Secret, required`,
      );
    }
  });

  it('mounts the Temporal client certificate read-only where the ConfigMap points', () => {
    for (const { d, c } of containers) {
      const volume = d.spec.template.spec.volumes?.find(
        (v) => v.secret?.secretName === 'klaxon-temporal-tls',
      );
      const mount = c.volumeMounts?.find((m) => m.name === volume?.name);
      assert.ok(mount?.readOnly, `${d.metadata.name}: klaxon-temporal-tls mounted read-only`);
      for (const key of ['TEMPORAL_TLS_CA_PATH', 'TEMPORAL_TLS_CERT_PATH', 'TEMPORAL_TLS_KEY_PATH'])
        assert.equal(path.dirname(environment(c)[key] ?? ''), mount.mountPath, `${d.metadata.name}: ${key}`);
    }
  });

  it('gives values runtime/config.ts accepts, with the required secrets filled in', () => {
    // Stand-ins of the right shape for the Secret's required keys; the optional ones stay unset.
    const secrets = {
      DATABASE_URL: 'postgres://klaxon:secret@postgres:5432/klaxon',
      TEMPORAL_PAYLOAD_KEYS: `k1:${Buffer.alloc(32, 7).toString('base64')}`,
      METRICS_TOKEN: 'm'.repeat(32),
    };
    for (const { d, c } of containers)
      assert.doesNotThrow(() => loadConfig({ ...environment(c), ...secrets }), d.metadata.name);
  });

  it('sets only variables Klaxon reads', () => {
    const known = new Set<string>([...configKeys, ...NODE_VARIABLES]);
    const names = [
      ...Object.keys(configMap?.data ?? {}),
      ...containers.flatMap(({ c }) => (c.env ?? []).map((e) => e.name)),
    ];
    assert.deepEqual([...new Set(names.filter((n) => !known.has(n)))].sort(), []);
  });
});
