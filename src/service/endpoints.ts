// Built-in routes: liveness, readiness and Prometheus metrics.
import type { HttpRoute } from '../bots/adapter.js';
import type { Metrics } from '../observability/metrics.js';
import { sendJson } from './http-server.js';
import type { ServiceStatus } from './status.js';

/** `GET /healthz`: 200 while the process runs and its event loop turns. */
export function healthRoute(): HttpRoute {
  return {
    method: 'GET',
    path: '/healthz',
    handle(_request, response) {
      sendJson(response, 200, { status: 'ok' });
    },
  };
}

/** `GET /readyz`: 200 with the readiness report when ready, 503 with the same report otherwise. */
export function readinessRoute(status: ServiceStatus): HttpRoute {
  return {
    method: 'GET',
    path: '/readyz',
    handle(_request, response) {
      const report = status.report();
      sendJson(response, report.ready ? 200 : 503, report, report.ready ? {} : { 'retry-after': '5' });
    },
  };
}

/** `GET /metrics`: Prometheus text exposition of the service's registry. */
export function metricsRoute(metrics: Metrics, status: ServiceStatus): HttpRoute {
  return {
    method: 'GET',
    path: '/metrics',
    async handle(_request, response) {
      // The engine updates these gauges as answers start and end; setting them
      // from its stats on every scrape keeps them right before it exists too.
      const stats = status.engineStats();
      metrics.queueLength.set(stats.queueLength);
      metrics.inFlight.set(stats.inFlight);

      const text = await metrics.registry.metrics();
      response.writeHead(200, { 'content-type': metrics.registry.contentType, 'cache-control': 'no-store' });
      response.end(text);
    },
  };
}
