import assert from "node:assert/strict";
import { setup, stream } from "./_session_harness.ts";

/** A signer whose signatures the test releases one by one, in any order. */
function manualSigner() {
  const pending: {
    frame: string;
    done: (s: string) => void;
    fail: (e: Error) => void;
  }[] = [];
  return {
    pending,
    sign: (frame: string) =>
      new Promise<string>((resolve, reject) =>
        pending.push({ frame, done: resolve, fail: reject })
      ),
    release(frame: string) {
      const i = pending.findIndex((p) => p.frame === frame);
      const [p] = pending.splice(i, 1);
      p!.done(`${frame} signed`);
    },
  };
}

const settle = () => new Promise((r) => setTimeout(r, 0));

Deno.test("signed control frames go out in queue order, whichever signature finishes first", async () => {
  const signer = manualSigner();
  const t = setup(10, {}, { sign: signer.sign });
  t.session.setDesired([stream("t", "A")]);
  t.session.start();
  const socket = t.socketOf("fake-0");
  socket.open();
  t.session.setDesired([stream("t", "A"), stream("t", "B")]);
  t.session.setDesired([stream("t", "B")]);
  assert.deepEqual(signer.pending.map((p) => p.frame), [
    "sub t:A",
    "sub t:B",
    "unsub t:A",
  ]);
  signer.release("unsub t:A");
  signer.release("sub t:B");
  await settle();
  assert.deepEqual(socket.sent, [], "waits for the first frame's signature");
  signer.release("sub t:A");
  await settle();
  assert.deepEqual(socket.sent, [
    "sub t:A signed",
    "sub t:B signed",
    "unsub t:A signed",
  ]);
  await t.session.close();
});

Deno.test("a frame signed for a socket that closed meanwhile is dropped; the reconnect subscribes afresh", async () => {
  const signer = manualSigner();
  const t = setup(10, {}, { sign: signer.sign });
  t.session.setDesired([stream("t", "A")]);
  t.session.start();
  const first = t.socketOf("fake-0");
  first.open();
  first.serverClose(1006);
  t.clock.advance(60_000);
  const second = t.socketOf("fake-0");
  assert.notEqual(second, first);
  second.open();
  signer.release("sub t:A"); // the first socket's
  await settle();
  assert.deepEqual(second.sent, []);
  signer.release("sub t:A"); // the second socket's
  await settle();
  assert.deepEqual(second.sent, ["sub t:A signed"]);
  assert.deepEqual(first.sent, []);
  await t.session.close();
});

Deno.test("a signing failure reconnects the connection", async () => {
  const signer = manualSigner();
  const t = setup(10, {}, { sign: signer.sign });
  t.session.setDesired([stream("t", "A")]);
  t.session.start();
  t.socketOf("fake-0").open();
  signer.pending.shift()!.fail(new Error("key unusable"));
  await settle();
  const last = t.states.at(-1)!;
  assert.equal(last[1], "backoff");
  assert.match(last[2], /signing failed: key unusable/);
  await t.session.close();
});
