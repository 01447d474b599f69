import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from '@jest/globals';
import { parse } from 'yaml';
import { configSchema } from '@app/platform';

// No Docker engine runs here, so the compose file is validated, not run: parsed with merge keys
// resolved as Compose resolves them, and checked against what the services need.
const compose = parse(readFileSync('docker-compose.yml', 'utf8'), { merge: true }) as {
  services: Record<string, Record<string, any>>; // eslint-disable-line @typescript-eslint/no-explicit-any
  volumes: Record<string, unknown>;
};
const entries = { gateway: 7000, generator: 7001, history: 7002 } as const;
/** What `docker compose up` starts: the services outside any profile. */
const defaultServices = Object.keys(compose.services).filter((name) => !compose.services[name].profiles);

/** A health check's command as one string, whether written as a shell string or a ["CMD", …] list. */
const checkOf = (service: Record<string, any>) => [service.healthcheck.test].flat().join(' '); // eslint-disable-line @typescript-eslint/no-explicit-any
/** `${VAR:-default}` as Compose resolves it when VAR is unset: what a user gets by default. */
const byDefault = (value: string) => value.replace(/\$\{\w+:-([^}]*)\}/g, '$1');

describe('docker-compose.yml', () => {
  it('runs redis with AOF, postgres, and the three services from one image', () => {
    expect(defaultServices.sort()).toEqual(['gateway', 'generator', 'history', 'postgres', 'redis']);
    expect(compose.services.redis.command).toEqual(expect.arrayContaining(['--appendonly', 'yes']));
    const images = new Set(Object.keys(entries).map((s) => compose.services[s].image));
    expect(images.size).toBe(1);
    for (const name of Object.keys(entries)) expect(compose.services[name].build).toBe('.');
  });

  it.each(Object.entries(entries))('%s: built entry point, port, env wiring and a health check', (name, port) => {
    const service = compose.services[name];
    const entry = service.command[1] as string;
    expect(entry).toBe(`dist/apps/${name}/apps/${name}/src/main.js`);
    expect(existsSync(entry)).toBe(true); // the path `npm run build` produces (npm test builds first)
    expect(service.environment.PORT).toBe(String(port));
    expect(service.environment.HOST).toBe('0.0.0.0'); // reached over the container network
    expect(service.environment.REDIS_URL).toBe('redis://redis:6379');
    expect(service.environment.HISTORY_URL).toBe('http://history:7002');
    expect(service.environment.DATABASE_URL).toMatch(/^postgres:\/\/.+@postgres:5432\//);
    expect(checkOf(service)).toContain(`127.0.0.1:${port}/health/ready`);
    expect(service.depends_on.redis.condition).toBe('service_healthy');
    // Traces are exported only when the user names a collector: empty by default, i.e. off.
    expect(byDefault(service.environment.OTEL_EXPORTER_OTLP_ENDPOINT)).toBe('');
  });

  it('scales generators with replicas and publishes only the gateway', () => {
    expect(compose.services.generator.deploy.replicas).toBeGreaterThanOrEqual(2);
    // podman-compose 1.0.3 consumes a ["CMD", …] list on the first replica; the second then fails to start.
    expect(typeof compose.services.generator.healthcheck.test).toBe('string');
    expect(compose.services.gateway.ports.map(byDefault)).toEqual(['7000:7000']);
    for (const name of defaultServices) {
      if (name !== 'gateway') expect([name, compose.services[name].ports]).toEqual([name, undefined]);
    }
  });

  it('adds Prometheus, Grafana and Jaeger under the observability profile only, with the repository\'s config', () => {
    const observability = Object.keys(compose.services).filter((name) => compose.services[name].profiles?.includes('observability'));
    expect(observability.sort()).toEqual(['grafana', 'jaeger', 'prometheus']);
    const mounts = [...compose.services.prometheus.volumes, ...compose.services.grafana.volumes].map((v: string) => v.split(':')[0]);
    for (const path of mounts) expect([path, existsSync(path)]).toEqual([path, true]);
    const scraped = parse(readFileSync('observability/prometheus.yml', 'utf8')) as { scrape_configs: Array<{ job_name: string }> };
    expect(scraped.scrape_configs.map((c) => c.job_name).sort()).toEqual(['gateway', 'generator', 'history']);
  });

  it('has a multi-stage Dockerfile that ships the build, the knowledge base and the web UI', () => {
    const dockerfile = readFileSync('Dockerfile', 'utf8');
    expect(dockerfile.match(/^FROM /gm)).toHaveLength(2);
    expect(dockerfile).toMatch(/npm run build && npm run build:web/);
    expect(dockerfile).toMatch(/COPY --from=build \/app\/kb \.\/kb/);
    expect(dockerfile).toMatch(/COPY --from=build \/app\/dist \.\/dist/);
  });
  describe('profile cluster', () => {
    const services = compose.services;
    const cluster = Object.keys(services).filter((name) => services[name].profiles?.includes('cluster'));
    const nodes = [1, 2, 3, 4, 5, 6].map((i) => `redis-node-${i}`);
    const apps = ['cluster-history', 'cluster-generator', 'cluster-gateway-1', 'cluster-gateway-2'];
    const proxyConf = readFileSync(services['cluster-proxy'].volumes[0].split(':')[0], 'utf8');
    /** An nginx directive's arguments in the proxy's config (the first occurrence). */
    const directive = (name: string) => proxyConf.match(new RegExp(`^\\s*${name}\\s+([^;]+);`, 'm'))?.[1];

    it('adds six Redis nodes, their one-shot init, history, generators, two gateways and a proxy', () => {
      expect(cluster.sort()).toEqual([...apps, 'cluster-proxy', ...nodes, 'redis-cluster-init'].sort());
    });

    it.each(nodes)('%s: cluster mode, AOF, its own volume, its hostname announced', (name) => {
      const args = services[name].command.join(' ');
      expect(args).toMatch(/--cluster-enabled yes/);
      expect(args).toMatch(/--appendonly yes/);
      expect(args).toContain(`--cluster-announce-hostname ${name}`);
      // A failover (node timeout + election) must fit the gateways' 3 s grace for a Redis outage.
      expect(Number(args.match(/--cluster-node-timeout (\d+)/)?.[1])).toBeLessThanOrEqual(2_000);
      expect(services[name].volumes).toEqual([`${name}-data:/data`]);
      expect(Object.keys(compose.volumes)).toContain(`${name}-data`);
      expect(checkOf(services[name])).toContain('ping');
    });

    it('creates the cluster once all six nodes answer: three masters with a replica each', () => {
      const init = services['redis-cluster-init'];
      for (const node of nodes) expect(init.depends_on[node].condition).toBe('service_healthy');
      const script = readFileSync(init.volumes[0].split(':')[0], 'utf8');
      expect(script).toMatch(/redis-cli --cluster create \$nodes --cluster-replicas 1 --cluster-yes/);
      expect(script).toMatch(/for n in 1 2 3 4 5 6/);
      expect(script).toMatch(/cluster_state:ok/); // an existing cluster is left alone, a new one awaited
    });

    it.each(apps)('%s: the built service on the cluster, after the init', (name) => {
      const service = services[name];
      const seeds = configSchema.shape.REDIS_CLUSTER_NODES.parse(service.environment.REDIS_CLUSTER_NODES);
      expect(seeds).toEqual(nodes.map((host) => ({ host, port: 6379 })));
      expect(service.environment.HISTORY_URL).toBe('http://cluster-history:7002');
      expect(service.image).toBe(services.gateway.image);
      expect(service.depends_on['redis-cluster-init'].condition).toBe('service_completed_successfully');
      expect(service.ports).toBeUndefined();
    });

    it('runs two generators and publishes only the proxy, which waits for both gateways', () => {
      expect(services['cluster-generator'].deploy.replicas).toBeGreaterThanOrEqual(2);
      for (const name of cluster.filter((n) => n !== 'cluster-proxy')) expect([name, services[name].ports]).toEqual([name, undefined]);
      expect(services['cluster-proxy'].ports.map(byDefault)).toEqual(['7080:8080']);
      for (const gateway of ['cluster-gateway-1', 'cluster-gateway-2']) expect(services['cluster-proxy'].depends_on[gateway].condition).toBe('service_healthy');
    });

    it('proxies to both gateways in an SSE-safe way: HTTP/1.1, no buffering, no gzip, long read timeout', () => {
      const upstream = proxyConf.match(/upstream gateways \{([^}]*)\}/)?.[1] ?? '';
      expect([...upstream.matchAll(/server (\S+);?/g)].map((m) => m[1].split(' ')[0])).toEqual(['cluster-gateway-1:7000', 'cluster-gateway-2:7000']);
      expect(directive('listen')).toBe('8080');
      expect(directive('proxy_pass')).toBe('http://gateways');
      expect(directive('proxy_http_version')).toBe('1.1');
      expect(directive('proxy_set_header Connection')).toBe('""');
      expect(directive('proxy_buffering')).toBe('off');
      expect(directive('gzip')).toBe('off');
      // Longer than a stream lasts at the defaults (STREAM_REPLAY_TTL_S, 10 min) and than the 15 s keep-alive.
      for (const timeout of ['proxy_read_timeout', 'proxy_send_timeout']) expect(directive(timeout)).toMatch(/^(\d+h|[6-9]\d{2,}s?|\d{4,}s?)$/);
      expect(proxyConf).not.toMatch(/non_idempotent/); // a start (POST) is never sent to two gateways
    });
  });
});
