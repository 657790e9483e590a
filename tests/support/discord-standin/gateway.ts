// Gateway half of the Discord stand-in: a websocket that speaks gateway v10
// with JSON encoding and no compression. It sends HELLO, answers IDENTIFY with
// READY and GUILD_CREATE, acknowledges heartbeats, and on RESUME replays the
// dispatches that the client missed, then sends RESUMED.
import { EventEmitter, once } from 'node:events';
import type { IncomingMessage } from 'node:http';
import { GatewayDispatchEvents, GatewayOpcodes } from 'discord.js';
import { WebSocket, WebSocketServer } from 'ws';
import { guildCreatePayload, nextSnowflake, userPayload, type StandinIds } from './fixtures.js';

/** A dispatch in the session log, replayed on RESUME. */
interface LoggedDispatch {
  s: number;
  t: string;
  d: unknown;
}

interface Session {
  id: string;
  seq: number;
  log: LoggedDispatch[];
  socket: WebSocket | undefined;
}

/** Options of the gateway half. */
export interface StandinGatewayOptions {
  ids: StandinIds;
  token: string;
  heartbeatIntervalMs: number;
  resumeUrl: () => string;
  /** Whether the asker's presence reports a phone client (needs the GuildPresences intent). */
  askerOnMobile: boolean;
  /** Intent bits the application may not use; an IDENTIFY with any of them is closed with 4014. */
  disallowedIntents: number;
}

/** The gateway of the stand-in. Emits `identify`, `resume`, `heartbeat` and `dispatch`. */
export class StandinGateway extends EventEmitter {
  readonly server = new WebSocketServer({ noServer: true });
  identifies = 0;
  resumes = 0;
  heartbeats = 0;
  /** Intents bit field of the last IDENTIFY. */
  lastIntents: number | undefined;
  /** Query string of each connection, e.g. `v=10&encoding=json`. */
  readonly connectionQueries: string[] = [];

  private session: Session | undefined;

  constructor(private readonly options: StandinGatewayOptions) {
    super();
    this.server.on('connection', (socket, request) => this.onConnection(socket, request));
  }

  /** Whether a client is connected and identified or resumed. */
  get connected(): boolean {
    return this.session?.socket?.readyState === WebSocket.OPEN;
  }

  /** Sends a dispatch to the client, or logs it for replay when the client is disconnected. */
  dispatch(t: string, d: unknown): void {
    const session = this.session;
    if (session === undefined) throw new Error('The stand-in gateway has no session yet: wait for the client to be ready before dispatching.');
    session.seq += 1;
    const entry = { s: session.seq, t, d };
    session.log.push(entry);
    if (session.socket?.readyState === WebSocket.OPEN) this.send(session.socket, { op: GatewayOpcodes.Dispatch, ...entry });
  }

  /** Drops the connection without a close frame, as a network failure would; the client should resume. */
  drop(): void {
    this.session?.socket?.terminate();
  }

  /** Resolves on the next successful RESUME. */
  async nextResume(timeoutMs = 10_000): Promise<void> {
    await once(this, 'resume', { signal: AbortSignal.timeout(timeoutMs) });
  }

  /** Closes every socket and the server. */
  async close(): Promise<void> {
    for (const client of this.server.clients) client.terminate();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private onConnection(socket: WebSocket, request: IncomingMessage): void {
    this.connectionQueries.push(new URL(request.url ?? '/', 'http://127.0.0.1').searchParams.toString());
    socket.on('message', (data) => this.onMessage(socket, data.toString()));
    socket.on('error', () => socket.terminate());
    this.send(socket, { op: GatewayOpcodes.Hello, d: { heartbeat_interval: this.options.heartbeatIntervalMs } });
  }

  private onMessage(socket: WebSocket, text: string): void {
    let payload: { op?: number; d?: Record<string, unknown> | number | null };
    try {
      payload = JSON.parse(text) as typeof payload;
    } catch {
      socket.close(4002, 'Decode error');
      return;
    }

    switch (payload.op) {
      case GatewayOpcodes.Heartbeat:
        this.heartbeats += 1;
        this.send(socket, { op: GatewayOpcodes.HeartbeatAck });
        this.emit('heartbeat');
        return;
      case GatewayOpcodes.Identify:
        this.identify(socket, payload.d as Record<string, unknown>);
        return;
      case GatewayOpcodes.Resume:
        this.resume(socket, payload.d as Record<string, unknown>);
        return;
      default:
        // Presence updates, member requests and voice state updates need no reply here.
        return;
    }
  }

  private identify(socket: WebSocket, data: Record<string, unknown>): void {
    if (data.token !== this.options.token) {
      socket.close(4004, 'Authentication failed');
      return;
    }
    const { ids } = this.options;
    this.identifies += 1;
    this.lastIntents = Number(data.intents);
    if ((this.lastIntents & this.options.disallowedIntents) !== 0) {
      socket.close(4014, 'Disallowed intent(s).');
      return;
    }
    if (this.session?.socket !== socket) this.session?.socket?.terminate();
    this.session = { id: nextSnowflake(), seq: 0, log: [], socket };

    this.dispatch(GatewayDispatchEvents.Ready, {
      v: 10,
      user: userPayload(ids.botUser, 'ragbot', true),
      guilds: [{ id: ids.guild, unavailable: true }],
      session_id: this.session.id,
      resume_gateway_url: this.options.resumeUrl(),
      shard: [0, 1],
      application: { id: ids.application, flags: 0 },
      private_channels: [],
      relationships: [],
      user_settings: {},
      presences: [],
      guild_join_requests: [],
      geo_ordered_rtc_regions: [],
      auth: {},
    });
    this.dispatch(GatewayDispatchEvents.GuildCreate, guildCreatePayload(ids, { askerOnMobile: this.options.askerOnMobile }));
    this.emit('identify');
  }

  private resume(socket: WebSocket, data: Record<string, unknown>): void {
    const session = this.session;
    if (data.token !== this.options.token || session === undefined || data.session_id !== session.id) {
      // Not resumable: the client must identify again.
      this.send(socket, { op: GatewayOpcodes.InvalidSession, d: false });
      return;
    }
    this.resumes += 1;
    session.socket = socket;
    const seen = Number(data.seq ?? 0);
    for (const entry of session.log) {
      if (entry.s > seen) this.send(socket, { op: GatewayOpcodes.Dispatch, ...entry });
    }
    this.dispatch(GatewayDispatchEvents.Resumed, {});
    this.emit('resume');
  }

  private send(socket: WebSocket, payload: Record<string, unknown>): void {
    if (socket.readyState === WebSocket.OPEN) socket.send(JSON.stringify(payload));
  }
}
