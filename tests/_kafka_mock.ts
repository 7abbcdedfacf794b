/**
 * A Kafka cluster the tests own: librdkafka's mock cluster, run inside a
 * `kcat` producer process (`kcat -X test.mock.num.brokers=1 -b mock -P`).
 * It speaks the real Kafka protocol (kafkajs works against it) and prints
 * its bootstrap address on stderr. Pausing the process (SIGSTOP) is the
 * outage: a TCP proxy cannot stand in, since brokers advertise their own
 * address. kcat reads its stdin from this process, so it also exits when
 * the test process dies.
 *
 * @module
 */

import { Kafka, logLevel } from "kafkajs";
import { delay } from "../src/core/async.ts";
import { missing } from "./_services.ts";

/** How long to wait for kcat to print the bootstrap address, ms. */
const START_TIMEOUT_MS = 15_000;

/** A running mock cluster. */
export interface KafkaMock {
  /** `127.0.0.1:PORT` of its one broker. */
  bootstrap: string;
  /** The kcat process id. */
  pid: number;
  /**
   * Freezes the broker (SIGSTOP): connections hang, requests time out.
   * Settles once every thread of kcat has stopped: the signal is only
   * pending until the thread the kernel picked runs, and on a busy machine
   * kcat's other threads go on answering requests meanwhile.
   */
  pause(): Promise<void>;
  /** Lets the broker run again (SIGCONT). */
  resume(): void;
  /** Stops kcat and waits for it to exit. */
  close(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}

/** Whether `kcat` is on PATH; reports it as missing (skip) when not. */
export const KCAT_AVAILABLE: boolean = await probeKcat();

async function probeKcat(): Promise<boolean> {
  try {
    const out = await new Deno.Command("kcat", {
      args: ["-V"],
      stdin: "null",
      stdout: "null",
      stderr: "null",
    }).output();
    if (out.success) return true;
  } catch {
    // not installed
  }
  missing(
    "Kafka (kcat mock cluster)",
    "kcat is not installed (apt-get install kcat)",
  );
  return false;
}

/**
 * Starts a one-broker mock cluster. Rejects with a clear error when kcat
 * does not print a bootstrap address within 15 s.
 *
 * @example Usage
 * ```ts
 * await using mock = await startKafkaMock();
 * const kafka = new Kafka({ brokers: [mock.bootstrap] });
 * await mock.pause();
 * mock.resume();
 * ```
 */
export async function startKafkaMock(): Promise<KafkaMock> {
  const child = new Deno.Command("kcat", {
    args: [
      "-q",
      "-X",
      "test.mock.num.brokers=1",
      "-b",
      "mock",
      "-P",
      "-t",
      "__tickgate_mock",
    ],
    stdin: "piped",
    stdout: "null",
    stderr: "piped",
  }).spawn();
  const stdin = child.stdin.getWriter();
  const stderr = child.stderr.pipeThrough(new TextDecoderStream()).getReader();
  let log = "";
  let bootstrap: string | undefined;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<"timeout">((resolve) => {
    timer = setTimeout(() => resolve("timeout"), START_TIMEOUT_MS);
  });
  try {
    while (bootstrap === undefined) {
      const next = await Promise.race([stderr.read(), timeout]);
      if (next === "timeout" || next.done) break;
      log += next.value;
      bootstrap = /replaced with (\d+\.\d+\.\d+\.\d+:\d+)/.exec(log)?.[1];
    }
  } finally {
    clearTimeout(timer);
  }
  // Keep draining stderr so kcat never blocks on a full pipe.
  const drained = (async () => {
    try {
      while (!(await stderr.read()).done) {
        // discard
      }
    } catch {
      // the pipe closed
    }
  })();
  let closed: Promise<void> | undefined;
  const close = () =>
    closed ??= (async () => {
      try {
        Deno.kill(child.pid, "SIGCONT");
      } catch {
        // already gone
      }
      await stdin.close().catch(() => {});
      const killer = setTimeout(() => {
        try {
          child.kill("SIGKILL");
        } catch {
          // already gone
        }
      }, 3000);
      await child.status;
      clearTimeout(killer);
      await drained;
    })();
  if (bootstrap === undefined) {
    await close();
    throw new Error(
      `kcat mock cluster printed no bootstrap address within ${
        START_TIMEOUT_MS / 1000
      } s; its stderr: ${log.trim().slice(0, 500) || "(empty)"}`,
    );
  }
  return {
    bootstrap,
    pid: child.pid,
    pause: async () => {
      Deno.kill(child.pid, "SIGSTOP");
      await stopped(child.pid);
    },
    resume: () => Deno.kill(child.pid, "SIGCONT"),
    close,
    [Symbol.asyncDispose]: close,
  };
}

/** Longest wait for a paused kcat to stop, ms. */
const STOP_TIMEOUT_MS = 5_000;

/**
 * Resolves once every thread of `pid` is stopped (state `T` in
 * `/proc/<pid>/task/<tid>/stat`). Where there is no `/proc` (not Linux),
 * waits 200 ms instead.
 */
async function stopped(pid: number): Promise<void> {
  const tasks = `/proc/${pid}/task`;
  try {
    await Deno.stat(tasks);
  } catch {
    await delay(200);
    return;
  }
  const until = Date.now() + STOP_TIMEOUT_MS;
  for (;;) {
    let running = 0;
    for await (const t of Deno.readDir(tasks)) {
      const stat = await Deno.readTextFile(`${tasks}/${t.name}/stat`)
        .catch(() => "");
      // The state follows the parenthesised command name.
      const state = stat.charAt(stat.lastIndexOf(")") + 2);
      if (state !== "T" && state !== "t") running++;
    }
    if (running === 0) return;
    if (Date.now() > until) {
      throw new Error(
        `kcat (pid ${pid}) still has ${running} running thread(s) ${STOP_TIMEOUT_MS} ms after SIGSTOP`,
      );
    }
    await delay(5);
  }
}

/** One record read back by {@link readTopics}. */
export interface ReadRecord {
  topic: string;
  partition: number;
  offset: number;
  key: string | null;
  value: string | null;
  headers: Record<string, string>;
  timestamp: number;
}

/**
 * Reads every record of `topics` (from the start up to the high watermarks
 * of the moment) with kafkajs and a throwaway consumer group; rejects after
 * `timeoutMs` naming the partitions still behind.
 *
 * @example Usage
 * ```ts
 * const records = await readTopics(mock.bootstrap, ["t.trade"]);
 * ```
 */
export async function readTopics(
  bootstrap: string,
  topics: string[],
  timeoutMs = 30_000,
): Promise<ReadRecord[]> {
  const kafka = new Kafka({
    brokers: [bootstrap],
    clientId: "tickgate-test",
    logLevel: logLevel.NOTHING,
  });
  const admin = kafka.admin();
  await admin.connect();
  const behind = new Map<string, number>();
  try {
    for (const topic of topics) {
      for (const p of await admin.fetchTopicOffsets(topic)) {
        if (Number(p.high) > Number(p.low)) {
          behind.set(`${topic}/${p.partition}`, Number(p.high));
        }
      }
    }
  } finally {
    await admin.disconnect();
  }
  const records: ReadRecord[] = [];
  if (behind.size === 0) return records;
  const consumer = kafka.consumer({
    groupId: `tickgate-test-${crypto.randomUUID()}`,
    allowAutoTopicCreation: false,
    maxWaitTimeInMs: 200,
  });
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    await consumer.connect();
    await consumer.subscribe({ topics, fromBeginning: true });
    const { promise, resolve } = Promise.withResolvers<void>();
    await consumer.run({
      autoCommit: false,
      eachMessage: ({ topic, partition, message }) => {
        const headers: Record<string, string> = {};
        for (const [k, v] of Object.entries(message.headers ?? {})) {
          headers[k] = String(v);
        }
        records.push({
          topic,
          partition,
          offset: Number(message.offset),
          key: message.key?.toString() ?? null,
          value: message.value?.toString() ?? null,
          headers,
          timestamp: Number(message.timestamp),
        });
        const k = `${topic}/${partition}`;
        const high = behind.get(k);
        if (high !== undefined && Number(message.offset) + 1 >= high) {
          behind.delete(k);
          if (behind.size === 0) resolve();
        }
        return Promise.resolve();
      },
    });
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () =>
          reject(
            new Error(
              `readTopics: still behind after ${timeoutMs} ms: ${[
                ...behind.keys(),
              ]}`,
            ),
          ),
        timeoutMs,
      );
    });
    await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
    await consumer.disconnect();
  }
  return records;
}
