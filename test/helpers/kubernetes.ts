/** deploy/kubernetes as the tests read it: the manifests parsed, and kubeconform run on them offline. */
import { spawnSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { parseAllDocuments } from 'yaml';
import { loadConfig, projectPath } from '../../runtime/config';
import { resolveKubeconform } from '../../runtime/kubeconform-tools';

export const KUBERNETES_DIR = projectPath('deploy/kubernetes');
export const SCHEMAS_DIR = path.join(KUBERNETES_DIR, 'schemas');

/** Every file `kubectl apply -k` would apply: the YAML beside kustomization.yaml, not kustomization.yaml itself. */
export const manifestFiles = (): string[] =>
  readdirSync(KUBERNETES_DIR)
    .filter((f) => /\.ya?ml$/.test(f) && f !== 'kustomization.yaml')
    .sort();

export interface Resource {
  apiVersion: string;
  kind: string;
  metadata: { name: string; labels?: Record<string, string> };
  file: string;
  [field: string]: unknown;
}

/** Every document of every manifest file, parsed as YAML 1.1 like kubectl and kubeconform do. */
export function loadResources(): Resource[] {
  return manifestFiles().flatMap((file) =>
    parseAllDocuments(readFileSync(path.join(KUBERNETES_DIR, file), 'utf8'), { version: '1.1' }).map(
      (doc) => {
        if (doc.errors.length) throw new Error(`${file}: ${doc.errors.map((e) => e.message).join('; ')}`);
        return { ...(doc.toJS() as Omit<Resource, 'file'>), file } as Resource;
      },
    ),
  );
}

/** One resource as kubeconform's `-output json -verbose` reports it. */
export interface KubeconformResult {
  filename: string;
  kind: string;
  name: string;
  version: string;
  status: 'statusValid' | 'statusInvalid' | 'statusError' | 'statusSkipped' | 'statusEmpty';
  msg: string;
}

export interface KubeconformRun {
  status: number | null;
  resources: KubeconformResult[];
  summary: { valid: number; invalid: number; errors: number; skipped: number };
}

let binary: string | undefined;

function kubeconformBinary(): string {
  binary ??= resolveKubeconform({
    toolsDir: projectPath(loadConfig().KLAXON_TOOLS_DIR),
    log: (line) => console.log(`[kubeconform] ${line}`),
  });
  return binary;
}

/**
 * Runs kubeconform in strict mode on `files` against the vendored schemas only: no `default` location
 * and no URL, so a kind without a schema there is an error, never a download or a skip.
 */
export function kubeconform(files: string[]): KubeconformRun {
  const args = [
    '-strict',
    '-summary',
    '-verbose',
    '-output',
    'json',
    '-schema-location',
    path.join(SCHEMAS_DIR, '{{ .ResourceKind }}{{ .KindSuffix }}.json'),
    ...files,
  ];
  const result = spawnSync(kubeconformBinary(), args, { encoding: 'utf8', timeout: 60_000 });
  if (result.error) throw new Error('kubeconform', { cause: result.error });
  try {
    return { status: result.status, ...(JSON.parse(result.stdout) as Omit<KubeconformRun, 'status'>) };
  } catch {
    throw new Error(`kubeconform printed no JSON (exit ${result.status}): ${result.stdout}${result.stderr}`);
  }
}

/** A Kubernetes quantity (cpu: 500m, memory: 3584Mi) in base units: cores or bytes. */
export function quantity(value: string | number): number {
  const match = /^(\d+(?:\.\d+)?)(m|k|M|G|Ki|Mi|Gi|Ti)?$/.exec(String(value));
  if (!match) throw new Error(`not a quantity this test reads: ${value}`);
  const factor: Record<string, number> = {
    m: 1e-3,
    k: 1e3,
    M: 1e6,
    G: 1e9,
    Ki: 2 ** 10,
    Mi: 2 ** 20,
    Gi: 2 ** 30,
    Ti: 2 ** 40,
  };
  return Number(match[1]) * (match[2] ? factor[match[2]]! : 1);
}
