import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { handleShutdownSignals } from '../src/service/signals.js';
import { Gate, memoryLogger } from './support/serve-fakes.js';

function setup(stop: () => Promise<void>, forceAfterMs = 60_000) {
  const emitter = new EventEmitter();
  const exits: number[] = [];
  const exited = new Gate();
  const uninstall = handleShutdownSignals({
    logger: memoryLogger().logger,
    stop,
    forceAfterMs,
    emitter,
    exit: (code) => {
      exits.push(code);
      exited.open();
    },
  });
  return { emitter, exits, exited, uninstall };
}

describe('shutdown signals', () => {
  it('stops then exits 0 on SIGTERM', async () => {
    let stops = 0;
    const { emitter, exits, exited } = setup(async () => {
      stops += 1;
    });
    emitter.emit('SIGTERM', 'SIGTERM');
    await exited.promise;
    expect(stops).toBe(1);
    expect(exits).toEqual([0]);
  });

  it('exits at once on a second signal', async () => {
    const stopGate = new Gate();
    const { emitter, exits, exited } = setup(() => stopGate.promise);
    emitter.emit('SIGINT', 'SIGINT');
    expect(exits).toEqual([]);
    emitter.emit('SIGINT', 'SIGINT');
    await exited.promise;
    expect(exits).toEqual([130]);
    stopGate.open();
  });

  it('exits 1 when stop fails', async () => {
    const { emitter, exits, exited } = setup(async () => {
      throw new Error('close failed');
    });
    emitter.emit('SIGTERM', 'SIGTERM');
    await exited.promise;
    expect(exits).toEqual([1]);
  });

  it('forces exit when stop hangs', async () => {
    const { emitter, exits, exited } = setup(() => new Promise(() => {}), 20);
    emitter.emit('SIGTERM', 'SIGTERM');
    await exited.promise;
    expect(exits).toEqual([1]);
  });

  it('removes its handlers', () => {
    const { emitter, uninstall } = setup(async () => {});
    expect(emitter.listenerCount('SIGTERM')).toBe(1);
    uninstall();
    expect(emitter.listenerCount('SIGTERM')).toBe(0);
    expect(emitter.listenerCount('SIGINT')).toBe(0);
  });
});
