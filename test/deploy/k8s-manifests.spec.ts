import { readFileSync } from 'node:fs';
import { describe, expect, it } from '@jest/globals';
import { Ajv, type SchemaObject } from 'ajv';
import { QueueName } from '@app/contracts';
import { bullPrefix, configSchema } from '@app/platform';
import { parseAllDocuments } from 'yaml';

// The example manifests of docs/scaling.md (deploy/k8s/). `kubectl apply --dry-run=client` needs an
// API server even to map the kinds (none runs here), and knows no KEDA kind without its CRD, so the
// manifests are checked against JSON schemas instead: the fields they use, with their types, from
// the Kubernetes API reference (apps/v1 Deployment, autoscaling/v2 HorizontalPodAutoscaler) and
// KEDA's ScaledObject CRD (keda.sh/v1alpha1). Unknown fields are refused where the schemas list
// every field, so a misspelt one fails. Validated with ajv (a dev dependency).

const str = { type: 'string' };
const int = { type: 'integer' };
const labels = { type: 'object', additionalProperties: str };
const quantity = { type: 'string', pattern: '^[0-9.]+(m|Mi|Gi|Ki)?$' };
const obj = (properties: Record<string, unknown>, required: string[] = []) => ({ type: 'object', properties, required, additionalProperties: false });
const metadata = obj({ name: str, labels }, ['name']);
const manifest = (apiVersion: string, kind: string, spec: unknown) =>
  obj({ apiVersion: { const: apiVersion }, kind: { const: kind }, metadata, spec }, ['apiVersion', 'kind', 'metadata', 'spec']);

const probe = obj({ httpGet: obj({ path: str, port: { type: ['string', 'integer'] } }, ['port']), periodSeconds: int });
const container = obj(
  {
    name: str,
    image: str,
    command: { type: 'array', items: str },
    ports: { type: 'array', items: obj({ name: str, containerPort: int }, ['containerPort']) },
    env: { type: 'array', items: obj({ name: str, value: str }, ['name']) },
    readinessProbe: probe,
    livenessProbe: probe,
    resources: obj({ requests: obj({ cpu: quantity, memory: quantity }), limits: obj({ cpu: quantity, memory: quantity }) }),
  },
  ['name', 'image'],
);
const deployment = manifest(
  'apps/v1',
  'Deployment',
  obj(
    {
      replicas: int,
      selector: obj({ matchLabels: labels }, ['matchLabels']),
      template: obj(
        {
          metadata: obj({ labels }),
          spec: obj({ terminationGracePeriodSeconds: int, containers: { type: 'array', minItems: 1, items: container } }, ['containers']),
        },
        ['spec'],
      ),
    },
    ['selector', 'template'],
  ),
);

const target = obj({ type: { enum: ['Utilization', 'Value', 'AverageValue'] }, averageValue: quantity, value: quantity, averageUtilization: int }, ['type']);
const policy = obj({ type: { enum: ['Pods', 'Percent'] }, value: int, periodSeconds: int }, ['type', 'value', 'periodSeconds']);
const scalingRules = obj({ stabilizationWindowSeconds: int, selectPolicy: { enum: ['Max', 'Min', 'Disabled'] }, policies: { type: 'array', items: policy } });
const hpa = manifest(
  'autoscaling/v2',
  'HorizontalPodAutoscaler',
  obj(
    {
      scaleTargetRef: obj({ apiVersion: str, kind: str, name: str }, ['kind', 'name']),
      minReplicas: int,
      maxReplicas: int,
      metrics: {
        type: 'array',
        items: obj(
          {
            type: { enum: ['External', 'Pods', 'Resource', 'Object', 'ContainerResource'] },
            external: obj({ metric: obj({ name: str, selector: obj({ matchLabels: labels }) }, ['name']), target }, ['metric', 'target']),
          },
          ['type'],
        ),
      },
      behavior: obj({ scaleUp: scalingRules, scaleDown: scalingRules }),
    },
    ['scaleTargetRef', 'maxReplicas'],
  ),
);

const scaledObject = manifest(
  'keda.sh/v1alpha1',
  'ScaledObject',
  obj(
    {
      scaleTargetRef: obj({ apiVersion: str, kind: str, name: str }, ['name']),
      minReplicaCount: int,
      maxReplicaCount: int,
      pollingInterval: int,
      cooldownPeriod: int,
      // KEDA's trigger metadata is a map of strings whatever the scaler.
      triggers: { type: 'array', minItems: 1, items: obj({ type: str, name: str, metadata: labels }, ['type', 'metadata']) },
    },
    ['scaleTargetRef', 'triggers'],
  ),
);

const ajv = new Ajv({ allErrors: true, strict: true, allowUnionTypes: true });
const schemas: Record<string, SchemaObject> = { Deployment: deployment, HorizontalPodAutoscaler: hpa, ScaledObject: scaledObject };

function documents(path: string): Array<Record<string, any>> { // eslint-disable-line @typescript-eslint/no-explicit-any
  return parseAllDocuments(readFileSync(path, 'utf8')).map((doc) => doc.toJS());
}

const files = ['deploy/k8s/generator-deployment.yaml', 'deploy/k8s/generator-scaledobject.yaml', 'deploy/k8s/generator-hpa.yaml'];
const [deploymentDoc] = documents(files[0]);
const [scaledObjectDoc] = documents(files[1]);
const [hpaDoc] = documents(files[2]);

describe('deploy/k8s manifests', () => {
  it.each(files)('%s: valid against the schema of its kind', (file) => {
    for (const doc of documents(file)) {
      const validate = ajv.compile(schemas[doc.kind] ?? { not: {} });
      expect([doc.kind, validate(doc) ? [] : validate.errors]).toEqual([doc.kind, []]);
    }
  });

  it('schemas refuse a misspelt field', () => {
    const broken = { ...hpaDoc, spec: { ...hpaDoc.spec, maxReplica: 3 } };
    expect(ajv.compile(hpa)(broken)).toBe(false);
  });

  it('runs the built generator with settings the config schema knows', () => {
    const [generator] = deploymentDoc.spec.template.spec.containers;
    expect(generator.command).toEqual(['node', 'dist/apps/generator/apps/generator/src/main.js']);
    const known = Object.keys(configSchema.shape);
    for (const { name } of generator.env) expect([name, known.includes(name)]).toEqual([name, true]);
    expect(deploymentDoc.spec.selector.matchLabels).toEqual({ 'app.kubernetes.io/name': 'generator' });
    expect(deploymentDoc.spec.template.metadata.labels).toMatchObject(deploymentDoc.spec.selector.matchLabels);
  });

  it('both autoscalers target the generator deployment, within the same replica bounds', () => {
    expect(scaledObjectDoc.spec.scaleTargetRef.name).toBe(deploymentDoc.metadata.name);
    expect(hpaDoc.spec.scaleTargetRef).toEqual({ apiVersion: 'apps/v1', kind: 'Deployment', name: deploymentDoc.metadata.name });
    expect([scaledObjectDoc.spec.minReplicaCount, scaledObjectDoc.spec.maxReplicaCount]).toEqual([hpaDoc.spec.minReplicas, hpaDoc.spec.maxReplicas]);
  });

  it('KEDA reads the BullMQ wait list of the generation queue, under its hash-tagged prefix', () => {
    const redis = scaledObjectDoc.spec.triggers.find((t: { type: string }) => t.type === 'redis');
    const prefix = deploymentDoc.spec.template.spec.containers[0].env.find((e: { name: string }) => e.name === 'REDIS_PREFIX').value;
    expect(redis.metadata.listName).toBe(`${bullPrefix(prefix)}:${QueueName.Generation}:wait`);
  });

  it('queries the queue metric the gateway exports, with its labels', () => {
    const source = readFileSync('apps/gateway/src/metrics/queue-metrics.ts', 'utf8');
    const name = source.match(/name: '([a-z_]+)'/)?.[1];
    const states = source.match(/const STATES = \[([^\]]+)\]/)?.[1] ?? '';
    expect(name).toBe('chat_generation_queue_jobs');
    for (const metric of hpaDoc.spec.metrics) {
      expect(metric.external.metric.name).toBe(name);
      expect(states).toContain(`'${metric.external.metric.selector.matchLabels.state}'`);
    }
    const prometheus = scaledObjectDoc.spec.triggers.find((t: { type: string }) => t.type === 'prometheus');
    expect(prometheus.metadata.query).toMatch(new RegExp(`^max\\(${name}\\{state="active"\\}\\)$`));
  });
});
