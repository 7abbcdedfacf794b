/**
 * Test-only: a recorder of a WebSocket client's events, with promises a
 * test awaits (they reject when the client closes first, so no test hangs).
 *
 * @module
 */

import type { SocketLike } from "./types.ts";

/** What a client reported, in order, as text (e.g. `open`, `message:hi`). */
export interface Watched {
  log: string[];
  messages: unknown[];
  errors: string[];
  /** Resolves on open; rejects if the client closed first (no test hangs). */
  opened: Promise<void>;
  closed: Promise<CloseEvent>;
  /** Resolves once `count` messages arrived; rejects if it closed first. */
  messagesAt(count: number): Promise<void>;
}

/** Records a client's events; message data is copied out of the event. */
export function watch(ws: SocketLike): Watched {
  const log: string[] = [];
  const messages: unknown[] = [];
  const errors: string[] = [];
  const waiters: [number, () => void, (e: Error) => void][] = [];
  let isClosed = false;
  let opened!: [() => void, (e: Error) => void];
  let closed!: (ev: CloseEvent) => void;
  const w: Watched = {
    log,
    messages,
    errors,
    opened: new Promise((...r) => opened = r),
    closed: new Promise((r) => closed = r),
    messagesAt: (count) =>
      messages.length >= count
        ? Promise.resolve()
        : isClosed
        ? Promise.reject(new Error(`closed after ${messages.length} messages`))
        : new Promise((...r) => waiters.push([count, ...r])),
  };
  w.opened.catch(() => {}); // a test that expects no open need not await it
  ws.onopen = () => {
    log.push("open");
    opened[0]();
  };
  ws.onmessage = (ev) => {
    const d = ev.data;
    messages.push(d instanceof Uint8Array ? d.slice() : d);
    log.push(typeof d === "string" ? `message:${d.slice(0, 40)}` : "binary");
    for (const [n, resolve] of waiters) if (messages.length >= n) resolve();
  };
  ws.onerror = (ev) => {
    errors.push(ev instanceof ErrorEvent ? ev.message : "");
    log.push("error");
  };
  ws.onclose = (ev) => {
    isClosed = true;
    log.push(`close:${ev.code}`);
    const why = new Error(`closed (${ev.code}): ${log.join(" ")} ${errors}`);
    opened[1](why);
    for (const [, , reject] of waiters) reject(why);
    closed(ev);
  };
  return w;
}
