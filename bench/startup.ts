/**
 * Startup: from spawning `main.ts run` (the binary's permissions,
 * dependencies cached) to the first HTTP answer of `/health`, against the
 * runtime's own floor measured in the same run: a minimal Deno process that
 * starts `Deno.serve` and answers, spawned and polled the same way.
 *
 * No internet is touched: the one venue (Coinbase) points at a local port
 * nothing listens on, and `DATA_DIR` is a temp dir.
 *
 * @module
 */

import { join } from "node:path";
import { type Figure, median } from "./figure.ts";
import {
  freePort,
  type Proc,
  readRssMb,
  spawnDeno,
  spawnTickgate,
  waitForHttp,
} from "./memory_driver.ts";

/** The startup target, ms. */
export const STARTUP_TARGET_MS = 300;

/** The floor: the least a Deno HTTP service can do before it answers. */
const FLOOR_SOURCE = `Deno.serve(
  { hostname: "127.0.0.1", port: Number(Deno.args[0]), onListen() {} },
  () => new Response("ok"),
);
`;

/** One timed start: spawn → first HTTP answer, in ms; the process is stopped after. */
async function timeStart(
  spawn: (port: number) => Proc,
): Promise<number> {
  const port = freePort();
  const t0 = performance.now();
  const proc = spawn(port);
  try {
    const at = await waitForHttp(`http://127.0.0.1:${port}/health`, proc);
    return at - t0;
  } finally {
    await proc.stop();
  }
}

/** Both sides of the comparison, ready to spawn. */
export interface StartupSubjects {
  floor: (port: number) => Proc;
  tickgate: (port: number) => Proc;
  [Symbol.asyncDispose](): Promise<void>;
}

/** The floor script and tickgate's settings in a fresh temp dir. */
export async function startupSubjects(): Promise<StartupSubjects> {
  const dir = await Deno.makeTempDir({ prefix: "tickgate-bench-start-" });
  const floorPath = join(dir, "floor.ts");
  await Deno.writeTextFile(floorPath, FLOOR_SOURCE);
  // A port that was free a moment ago: connects are refused at once.
  const dead = freePort();
  let n = 0;
  return {
    floor: (port) => spawnDeno(floorPath, [String(port)], {}),
    tickgate: (port) =>
      spawnTickgate({
        HOST: "127.0.0.1",
        PORT: String(port),
        DATA_DIR: join(dir, `data-${n++}`),
        VENUES: "coinbase",
        COINBASE_WS_URL: `ws://127.0.0.1:${dead}`,
        COINBASE_REST_URL: `http://127.0.0.1:${dead}`,
        SUMMARY_INTERVAL_SEC: "0",
      }),
    async [Symbol.asyncDispose]() {
      await Deno.remove(dir, { recursive: true }).catch(() => {});
    },
  };
}

/**
 * Median of ~7 starts (3 in `quick`), alternating with the floor (floor,
 * tickgate, floor, …) after one untimed start of each that warms the
 * caches; the ratio is tickgate's start time over the floor's.
 */
export async function benchStartup(
  options: { quick: boolean; runs?: number },
): Promise<Figure[]> {
  const runs = options.runs ?? (options.quick ? 3 : 7);
  await using s = await startupSubjects();
  await timeStart(s.floor);
  await timeStart(s.tickgate);
  const floor: number[] = [];
  const subject: number[] = [];
  for (let r = 0; r < runs; r++) {
    floor.push(await timeStart(s.floor));
    subject.push(await timeStart(s.tickgate));
  }
  console.error(
    `startup: tickgate ${subject.map((x) => x.toFixed(0)).join(", ")} ms; ` +
      `floor ${floor.map((x) => x.toFixed(0)).join(", ")} ms`,
  );
  const ceiling = median(floor);
  const figure: Figure & { targetMax: number } = {
    name: "startup: process start → /health answering",
    unit: "ms",
    median: median(subject),
    min: Math.min(...subject),
    max: Math.max(...subject),
    ceilingName: "bare Deno.serve start",
    ceiling,
    ratio: median(subject) / ceiling,
    targetMax: STARTUP_TARGET_MS,
  };
  return [figure];
}

/** RSS of the startup benchmark's floor (a bare `Deno.serve`) once it answered. */
export async function floorRssMb(): Promise<number> {
  await using s = await startupSubjects();
  const port = freePort();
  const proc = s.floor(port);
  try {
    await waitForHttp(`http://127.0.0.1:${port}/`, proc);
    return (await readRssMb(proc.pid)) ?? NaN;
  } finally {
    await proc.stop();
  }
}
