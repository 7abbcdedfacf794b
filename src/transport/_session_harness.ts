/**
 * Test-only helpers for session tests: a fake protocol whose frames name
 * their streams, and a session over {@link FakeSocket}s with a manual clock.
 *
 * @module
 */
import { ManualClock } from "../core/clock.ts";
import { type SessionOptions, VenueSession } from "./session.ts";
import type { ConnectionState, StreamProtocol, StreamSpec } from "./types.ts";
import { FakeSocket } from "./_fake_socket.ts";

/** Frames are `sub a,b` / `unsub a,b`; the URL lists the streams. */
export function fakeProtocol(max: number, extra: Partial<StreamProtocol> = {}) {
  const protocol: StreamProtocol = {
    url: (streams) => `wss://venue.test/${streams.map((s) => s.key).join(",")}`,
    subscribe: (streams) => [`sub ${streams.map((s) => s.key).join(",")}`],
    unsubscribe: (streams) => [`unsub ${streams.map((s) => s.key).join(",")}`],
    maxStreamsPerConnection: max,
    ...extra,
  };
  return protocol;
}

export function stream(
  channel: string,
  symbol: string,
  group?: string,
): StreamSpec {
  const key = `${channel}:${symbol}`;
  return group === undefined
    ? { key, channel, symbol }
    : { key, channel, symbol, group };
}

export function setup(
  max: number,
  extra: Partial<SessionOptions> = {},
  protocolExtra: Partial<StreamProtocol> = {},
  connectionExtra: SessionOptions["connection"] = {},
) {
  const clock = new ManualClock(0);
  const sockets = new Map<string, FakeSocket[]>();
  const frames: [string, string][] = [];
  const opened: string[] = [];
  const states: [string, ConnectionState, string][] = [];
  // The factory runs just before the connection reports "connecting", which
  // is how a socket is attributed to its connection id.
  let created: FakeSocket | undefined;
  const session = new VenueSession({
    venue: "fake",
    protocol: fakeProtocol(max, protocolExtra),
    onFrame: (id, data) => frames.push([id, data]),
    onOpen: (id) => opened.push(id),
    onStateChange: (id, state, detail) => {
      if (state === "connecting" && created !== undefined) {
        sockets.set(id, [...sockets.get(id) ?? [], created]);
        created = undefined;
      }
      states.push([id, state, detail]);
    },
    connection: {
      clock,
      random: () => 0,
      socketFactory: (url) => created = new FakeSocket(url),
      ...connectionExtra,
    },
    ...extra,
  });
  const socketOf = (id: string): FakeSocket => {
    const socket = sockets.get(id)?.at(-1);
    if (socket === undefined) throw new Error(`no socket for ${id}`);
    return socket;
  };
  const ids = () => session.connections.map((c) => c.id);
  const keysOf = (id: string) => session.streamsOf(id).map((s) => s.key);
  return { clock, session, frames, opened, states, socketOf, ids, keysOf };
}
