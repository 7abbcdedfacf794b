/**
 * Process helpers shared by the memory and startup benchmarks: `main.ts run`
 * (or any script) as a subprocess with the compiled binary's permissions, a
 * free loopback port, waiting for an HTTP answer, the resident set size of
 * a process, and a least-squares line.
 *
 * @module
 */

import { fileURLToPath } from "node:url";
import { BINARY_RUN_FLAGS } from "../scripts/permissions.ts";

/** The repository root (where `deno.json` is). */
export const REPO: string = fileURLToPath(new URL("../", import.meta.url));
/** `main.ts`, the tickgate entry point. */
export const MAIN: string = fileURLToPath(
  new URL("../main.ts", import.meta.url),
);

/** Environment names passed through to children: the Deno cache and paths only. */
const PASS = ["HOME", "PATH", "TMPDIR", "DENO_DIR", "XDG_CACHE_HOME"];

/**
 * A clean environment plus `env`: only what locates the Deno cache is
 * inherited, so a stray `VENUES` or `REDIS_URL` in the caller's environment
 * cannot change what is measured, and dependencies stay cached.
 */
export function childEnv(env: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = { NO_COLOR: "1" };
  for (const k of PASS) {
    const v = Deno.env.get(k);
    if (v !== undefined) out[k] = v;
  }
  return { ...out, ...env };
}

/** A free TCP port on 127.0.0.1 (bound, read, released). */
export function freePort(): number {
  const l = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (l.addr as Deno.NetAddr).port;
  l.close();
  return port;
}

/** A full (mark-compact) GC seen in `--trace-gc` output. */
export interface FullGc {
  /** When it ran, on this process's `performance.now()` clock. */
  at: number;
  /** Heap in use after it, MB: what was still live. */
  liveMb: number;
}

/** A full GC in `--trace-gc` output: `… 9161 ms: [Incremental ]Mark-Compact 29.1 (55.6) -> 19.5 (55.6) MB`. */
const FULL_GC =
  /\b(\d+) ms: (?!Minor)[A-Za-z ]*Mark-Compact[^\d]*[\d.]+ \([\d.]+\) -> ([\d.]+) \(/;

/** The full GC a `--trace-gc` line reports: ms since isolate start, MB live after. */
export function fullGcOf(
  line: string,
): { ms: number; liveMb: number } | undefined {
  const m = FULL_GC.exec(line);
  return m ? { ms: Number(m[1]), liveMb: Number(m[2]) } : undefined;
}

/** A child process: its pid, stderr so far, stdout lines. */
export interface Proc {
  readonly pid: number;
  /** Everything written to stderr so far. */
  logs(): string;
  /**
   * Event lines (`"kind":"…"`) written to stdout so far. V8 writes
   * `--trace-gc` to the same stdout through a 4 KB stdio buffer, so a trace
   * fragment may precede an event on its line; it still counts once.
   */
  lines(): number;
  /** Full GCs its `--trace-gc` output reported (with `DENO_V8_FLAGS`). */
  fullGcs(): readonly FullGc[];
  /** Resolves with the exit code once it exited. */
  readonly exited: Promise<number>;
  /** SIGTERM (SIGKILL after `graceMs`), then its exit code once streams drained. */
  stop(graceMs?: number): Promise<number>;
}

/**
 * Runs `deno run <BINARY_RUN_FLAGS> <script> <args>` from the repository
 * root in {@link childEnv}; stdout is drained, its event lines counted and
 * full GCs of `--trace-gc` (with `DENO_V8_FLAGS`) collected.
 */
export function spawnDeno(
  script: string,
  args: string[],
  env: Record<string, string>,
): Proc {
  const spawned = performance.now();
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", ...BINARY_RUN_FLAGS, script, ...args],
    cwd: REPO,
    env: childEnv(env),
    clearEnv: true,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  let logs = "";
  let lines = 0;
  const gcs: FullGc[] = [];
  const readingErr = (async () => {
    for await (const s of child.stderr.pipeThrough(new TextDecoderStream())) {
      logs = (logs + s).slice(-200_000);
    }
  })();
  const readingOut = (async () => {
    let rest = "";
    for await (const s of child.stdout.pipeThrough(new TextDecoderStream())) {
      const parts = (rest + s).split("\n");
      rest = parts.pop()!;
      for (const line of parts) {
        if (line.includes('"kind":"')) lines++;
        const gc = fullGcOf(line);
        // V8 times its trace from isolate start, about when it was spawned.
        if (gc) gcs.push({ at: spawned + gc.ms, liveMb: gc.liveMb });
      }
    }
  })();
  const exited = child.status.then(async (s) => {
    await Promise.all([readingErr, readingOut]);
    return s.code;
  });
  return {
    pid: child.pid,
    logs: () => logs,
    lines: () => lines,
    fullGcs: () => gcs,
    exited,
    async stop(graceMs = 10_000) {
      try {
        child.kill("SIGTERM");
      } catch { /* already exited */ }
      const timer = setTimeout(() => {
        try {
          child.kill("SIGKILL");
        } catch { /* exited meanwhile */ }
      }, graceMs);
      try {
        return await exited;
      } finally {
        clearTimeout(timer);
      }
    },
  };
}

/** `main.ts run` with `env`, as the compiled binary would run. */
export function spawnTickgate(env: Record<string, string>): Proc {
  return spawnDeno(MAIN, ["run"], env);
}

/**
 * Polls `url` every `everyMs` until it gives any HTTP answer (any status),
 * and returns `performance.now()` at that answer. Fails when `proc` exits
 * first or after `timeoutMs`.
 */
export async function waitForHttp(
  url: string,
  proc: Proc,
  timeoutMs = 30_000,
  everyMs = 2,
): Promise<number> {
  let exited = false;
  proc.exited.then(() => exited = true, () => exited = true);
  const until = performance.now() + timeoutMs;
  for (;;) {
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(5_000) });
      const at = performance.now();
      await res.body?.cancel();
      return at;
    } catch { /* not listening yet */ }
    if (exited) {
      throw new Error(
        `the process exited before ${url} answered:\n${proc.logs()}`,
      );
    }
    if (performance.now() > until) {
      throw new Error(
        `${url} did not answer in ${timeoutMs} ms:\n${proc.logs()}`,
      );
    }
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/** The text of `/proc/<pid>/status`, or undefined when there is none. */
async function procStatus(pid: number): Promise<string | undefined> {
  const path = `/proc/${pid}/status`;
  try {
    return await Deno.readTextFile(path);
  } catch (e) {
    // Deno grants /proc only to --allow-all; `cat` needs only --allow-run.
    if (!(e instanceof Deno.errors.NotCapable)) return undefined;
  }
  const out = await new Deno.Command("cat", {
    args: [path],
    stdout: "piped",
    stderr: "null",
  }).output();
  return out.success ? new TextDecoder().decode(out.stdout) : undefined;
}

/**
 * Resident set size of `pid` in MB (VmRSS of `/proc/<pid>/status`, Linux
 * only); undefined where there is no such file or line.
 */
export async function readRssMb(pid: number): Promise<number | undefined> {
  const text = await procStatus(pid);
  const m = text === undefined ? null : /^VmRSS:\s+(\d+)\s+kB/m.exec(text);
  return m ? Number(m[1]) / 1024 : undefined;
}

/** Why RSS cannot be read here, or undefined when it can. */
export function rssUnsupported(): string | undefined {
  if (Deno.build.os !== "linux") {
    return `RSS is read from /proc/<pid>/status, which ${Deno.build.os} does not have`;
  }
  return undefined;
}

/** A fitted line y = intercept + slope·x, with its slope's standard error. */
export interface Line {
  slope: number;
  intercept: number;
  /** Standard error of the slope from the residuals (n − 2 degrees of freedom). */
  slopeSe: number;
}

/** Ordinary least squares of `ys` on `xs` (at least 3 points). */
export function leastSquares(
  xs: readonly number[],
  ys: readonly number[],
): Line {
  const n = xs.length;
  if (n < 3 || ys.length !== n) throw new Error("need ≥ 3 paired points");
  let mx = 0;
  let my = 0;
  for (let i = 0; i < n; i++) {
    mx += xs[i]!;
    my += ys[i]!;
  }
  mx /= n;
  my /= n;
  let sxx = 0;
  let sxy = 0;
  for (let i = 0; i < n; i++) {
    sxx += (xs[i]! - mx) ** 2;
    sxy += (xs[i]! - mx) * (ys[i]! - my);
  }
  const slope = sxy / sxx;
  const intercept = my - slope * mx;
  let sse = 0;
  for (let i = 0; i < n; i++) {
    sse += (ys[i]! - intercept - slope * xs[i]!) ** 2;
  }
  return { slope, intercept, slopeSe: Math.sqrt(sse / (n - 2) / sxx) };
}

/**
 * The least-squares line of block means: consecutive samples averaged in
 * blocks of `size`, so that the GC's saw-tooth (samples a second apart are
 * far from independent) does not shrink the slope's standard error.
 */
export function blockLine(
  xs: readonly number[],
  ys: readonly number[],
  size: number,
): Line {
  const bx: number[] = [];
  const by: number[] = [];
  for (let i = 0; i + size <= xs.length; i += size) {
    let sx = 0;
    let sy = 0;
    for (let j = i; j < i + size; j++) {
      sx += xs[j]!;
      sy += ys[j]!;
    }
    bx.push(sx / size);
    by.push(sy / size);
  }
  return leastSquares(bx, by);
}

/** The soak slope: LS over the second half, its noise band from 30-s block means. */
export function soakSlope(samples: readonly { t: number; mb: number }[]): {
  perSecond: Line;
  blocks: Line;
} {
  const half = samples.slice(Math.floor(samples.length / 2));
  const xs = half.map((s) => s.t / 60);
  const ys = half.map((s) => s.mb);
  return { perSecond: leastSquares(xs, ys), blocks: blockLine(xs, ys, 30) };
}
