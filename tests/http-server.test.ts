import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { adminRoutes, isAuthorized, type ReingestStart } from '../src/service/admin.js';
import { createHttpServer, ListenError, type HttpServer } from '../src/service/http-server.js';
import { memoryLogger } from './support/serve-fakes.js';

const servers: HttpServer[] = [];

async function serve(setup: (server: HttpServer) => void): Promise<{ base: string; log: ReturnType<typeof memoryLogger> }> {
  const log = memoryLogger();
  const server = createHttpServer({ logger: log.logger, closeTimeoutMs: 1000 });
  setup(server);
  servers.push(server);
  const port = await server.listen(0, '127.0.0.1');
  return { base: `http://127.0.0.1:${port}`, log };
}

afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

describe('http server routing', () => {
  it('returns 404 for an unknown path', async () => {
    const { base } = await serve(() => {});
    const response = await fetch(`${base}/nope`);
    expect(response.status).toBe(404);
    expect(await response.json()).toEqual({ error: 'No route for /nope.' });
  });

  it('returns 405 with Allow for a wrong method', async () => {
    const { base } = await serve((server) => server.mount([{ method: 'GET', path: '/thing', handle: (_q, r) => void r.end('x') }]));
    const response = await fetch(`${base}/thing`, { method: 'DELETE' });
    expect(response.status).toBe(405);
    expect(response.headers.get('allow')).toBe('GET');
  });

  it('serves HEAD with the GET handler and no body', async () => {
    const { base } = await serve((server) => server.mount([{ method: 'GET', path: '/thing', handle: (_q, r) => void r.end('body') }]));
    const response = await fetch(`${base}/thing`, { method: 'HEAD' });
    expect(response.status).toBe(200);
    expect(await response.text()).toBe('');
  });

  it('ignores the query string when matching', async () => {
    const { base } = await serve((server) => server.mount([{ method: 'GET', path: '/thing', handle: (_q, r) => void r.end('matched') }]));
    expect(await (await fetch(`${base}/thing?x=1`)).text()).toBe('matched');
  });

  it('lets a later mount replace a route', async () => {
    const { base } = await serve((server) => {
      server.mount([{ method: 'POST', path: '/slack/events', handle: (_q, r) => void r.end('placeholder') }]);
      server.mount([{ method: 'POST', path: '/slack/events', handle: (_q, r) => void r.end('adapter') }]);
    });
    expect(await (await fetch(`${base}/slack/events`, { method: 'POST' })).text()).toBe('adapter');
  });

  it('turns a throwing handler into a logged 500', async () => {
    const { base, log } = await serve((server) =>
      server.mount([
        {
          method: 'GET',
          path: '/boom',
          handle: () => {
            throw new Error('handler exploded');
          },
        },
      ]),
    );
    const response = await fetch(`${base}/boom`);
    expect(response.status).toBe(500);
    expect(await response.text()).not.toContain('handler exploded');
    const logged = log.lines().find((line) => line.msg === 'Route handler failed');
    expect(logged?.path).toBe('/boom');
  });
});

describe('http server listen and close', () => {
  it('names PORT when the port is taken', async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const port = (blocker.address() as AddressInfo).port;
    const server = createHttpServer({ logger: memoryLogger().logger });

    const error = await server.listen(port, '127.0.0.1').catch((e: unknown) => e);
    await new Promise((resolve) => blocker.close(resolve));
    expect(error).toBeInstanceOf(ListenError);
    expect((error as ListenError).message).toContain(`Port ${port}`);
    expect((error as ListenError).message).toContain('set PORT');
  });

  it('lets an open request finish before closing', async () => {
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    const { base } = await serve((server) =>
      server.mount([
        {
          method: 'GET',
          path: '/slow',
          handle: async (_q, r) => {
            await released;
            r.end('finished');
          },
        },
      ]),
    );
    const pending = fetch(`${base}/slow`).then((r) => r.text());
    await new Promise((resolve) => setTimeout(resolve, 50));
    const closing = servers[0]!.close();
    release();
    expect(await pending).toBe('finished');
    await closing;
    await expect(fetch(`${base}/slow`)).rejects.toThrow();
  });
});

describe('admin reingest endpoint', () => {
  const token = 'a-long-admin-token-0123456789';

  async function adminServer(adminToken: string | undefined, result: ReingestStart = { started: true }) {
    let calls = 0;
    const { base } = await serve((server) =>
      server.mount(
        adminRoutes({
          adminToken,
          startReingest: () => {
            calls += 1;
            return result;
          },
        }),
      ),
    );
    return { url: `${base}/admin/reingest`, calls: () => calls };
  }

  it('is off without ADMIN_TOKEN', async () => {
    const admin = await adminServer(undefined);
    const response = await fetch(admin.url, { method: 'POST', headers: { authorization: `Bearer ${token}` } });
    expect(response.status).toBe(404);
    expect(admin.calls()).toBe(0);
  });

  it('rejects a missing token', async () => {
    const admin = await adminServer(token);
    const response = await fetch(admin.url, { method: 'POST' });
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toContain('Bearer');
    expect(admin.calls()).toBe(0);
  });

  it('rejects a wrong token', async () => {
    const admin = await adminServer(token);
    const response = await fetch(admin.url, { method: 'POST', headers: { authorization: `Bearer ${token}x` } });
    expect(response.status).toBe(401);
    expect(await response.text()).not.toContain(token);
    expect(admin.calls()).toBe(0);
  });

  it('starts a re-ingest with the right token', async () => {
    const admin = await adminServer(token);
    const response = await fetch(admin.url, { method: 'POST', headers: { authorization: `Bearer ${token}` } });
    expect(response.status).toBe(202);
    expect(admin.calls()).toBe(1);
  });

  it('passes on a refusal status', async () => {
    const admin = await adminServer(token, { started: false, status: 409, reason: 'already running' });
    const response = await fetch(admin.url, { method: 'POST', headers: { authorization: `Bearer ${token}` } });
    expect(response.status).toBe(409);
    expect(await response.json()).toEqual({ error: 'already running' });
  });

  it('rejects GET with 405', async () => {
    const admin = await adminServer(token);
    expect((await fetch(admin.url)).status).toBe(405);
  });
});

describe('isAuthorized', () => {
  const cases: Array<[string | undefined, boolean]> = [
    [undefined, false],
    ['', false],
    ['Bearer', false],
    ['Bearer ', false],
    ['Basic secret-token-value', false],
    ['Bearer secret-token-valu', false],
    ['Bearer secret-token-value', true],
    ['bearer secret-token-value', true],
    ['Bearer secret-token-value extra', false],
  ];
  for (const [header, expected] of cases) {
    it(`returns ${expected} for ${JSON.stringify(header)}`, () => {
      expect(isAuthorized(header, 'secret-token-value')).toBe(expected);
    });
  }
});
