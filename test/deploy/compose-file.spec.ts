import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from '@jest/globals';
import { parse } from 'yaml';

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
});
