// The seam between the service and each chat platform.
import type { IncomingMessage, ServerResponse } from 'node:http';

/** Connection state of a platform adapter, as the readiness endpoint reports it. */
export type AdapterState = 'starting' | 'connected' | 'reconnecting' | 'disconnected' | 'stopped' | 'failed';

/** An HTTP route that an adapter serves on the service's one HTTP server (e.g. Slack's `/slack/events`). */
export interface HttpRoute {
  method: 'GET' | 'POST';
  path: string;
  handle(request: IncomingMessage, response: ServerResponse): void | Promise<void>;
}

/** A chat platform connection: turns platform events into engine questions and answer streams into messages. */
export interface PlatformAdapter {
  readonly platform: string;
  /** Connects to the platform; resolves when it is ready to take questions. */
  start(): Promise<void>;
  /**
   * Stops taking new questions, lets in-flight answers finish until `deadline`
   * (epoch ms), ends the rest with a short note, then disconnects.
   */
  stop(deadline: number): Promise<void>;
  state(): AdapterState;
  /** Answers being streamed now. */
  inFlight(): number;
  /** HTTP routes to mount on the shared server, if the adapter receives requests over HTTP. */
  readonly routes?: HttpRoute[];
}
