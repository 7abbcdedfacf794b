/**
 * `file:PATH`: events as NDJSON in a file, rotated by size, with a cap on the
 * total size of the active and rotated files. Rotated files sit beside the
 * active one as `<stem>-<UTC time>.<ext>` (`_N` added within one
 * millisecond), so their names sort by age.
 *
 * Options: `max_file_mb` (rotate beyond this size, default 64) and
 * `max_total_mb` (delete the oldest rotated files beyond this, default 1024).
 *
 * @module
 */

import { basename, dirname, extname, join } from "node:path";
import type { NormalizedEvent } from "../core/events.ts";
import { writeAll } from "../core/write_all.ts";
import { LineSink } from "./line_sink.ts";
import { redactUrl, type SinkSpec, SinkUrlError } from "./url.ts";

const MB = 1024 * 1024;

/** Options for {@link FileSink}, normally from the sink URL. */
export interface FileSinkOptions {
  path: string;
  /** @default 64 MiB */
  maxFileBytes: number;
  /** @default 1 GiB */
  maxTotalBytes: number;
}

/**
 * Reads `max_file_mb` / `max_total_mb` from a sink spec.
 *
 * @example Usage
 * ```ts
 * fileSinkOptions(parseSinkUrl("file:/tmp/e.ndjson?max_file_mb=8", 1));
 * ```
 */
export function fileSinkOptions(spec: SinkSpec): FileSinkOptions {
  const mb = (key: string, dflt: number) => {
    const raw = spec.options[key];
    if (raw === undefined) return dflt * MB;
    const v = Number(raw);
    if (!(v > 0)) {
      throw new SinkUrlError(
        redactUrl(spec.url),
        `${key} must be a positive number of MiB`,
      );
    }
    return Math.floor(v * MB);
  };
  const maxFileBytes = mb("max_file_mb", 64);
  const maxTotalBytes = mb("max_total_mb", 1024);
  if (maxTotalBytes < maxFileBytes) {
    throw new SinkUrlError(
      redactUrl(spec.url),
      "max_total_mb must be at least max_file_mb",
    );
  }
  return { path: spec.target, maxFileBytes, maxTotalBytes };
}

/**
 * Appends NDJSON lines to a file with rotation.
 *
 * @example Usage
 * ```ts
 * const sink = new FileSink(spec, JSON.stringify);
 * await sink.start();
 * ```
 */
export class FileSink extends LineSink {
  readonly #opts: FileSinkOptions;
  #file: Deno.FsFile | undefined;
  #size = 0;
  #rotations = 0;

  constructor(spec: SinkSpec, format: (e: NormalizedEvent) => string) {
    super({ name: spec.name, scheme: spec.scheme, format });
    this.#opts = fileSinkOptions(spec);
  }

  /** Files rotated since start. */
  get rotations(): number {
    return this.#rotations;
  }

  override async start(): Promise<void> {
    await Deno.mkdir(dirname(this.#opts.path), { recursive: true });
    await this.#open();
  }

  async #open(): Promise<void> {
    this.#file = await Deno.open(this.#opts.path, {
      append: true,
      create: true,
    });
    this.#size = (await this.#file.stat()).size;
  }

  protected async writeChunk(data: Uint8Array): Promise<void> {
    if (this.#file === undefined) await this.#open();
    if (this.#size > 0 && this.#size + data.length > this.#opts.maxFileBytes) {
      await this.#rotate();
    }
    await writeAll(this.#file!, data);
    this.#size += data.length;
  }

  async #rotate(): Promise<void> {
    this.#file?.close();
    this.#file = undefined;
    const { path } = this.#opts;
    const ext = extname(path);
    const stem = basename(path, ext);
    const stamp = new Date().toISOString().replace(/[-:]/g, "");
    let target = join(dirname(path), `${stem}-${stamp}${ext}`);
    for (let n = 1; await exists(target); n++) {
      // `_n` sorts after the unsuffixed name (`.` < `_`), keeping age order.
      target = join(dirname(path), `${stem}-${stamp}_${n}${ext}`);
    }
    await Deno.rename(path, target);
    this.#rotations++;
    await this.#enforceCap(stem, ext);
    await this.#open();
  }

  /**
   * Deletes the oldest rotated files until the total fits the cap. Only
   * names this sink produces count (`<stem>-<UTC stamp>[_n]<ext>`), so other
   * files sharing the stem (another sink's `events-btc.ndjson`) are safe.
   */
  async #enforceCap(stem: string, ext: string): Promise<void> {
    const dir = dirname(this.#opts.path);
    const mine = new RegExp(
      `^${escapeRegExp(stem)}-\\d{8}T\\d{6}\\.\\d{3}Z(_\\d+)?${
        escapeRegExp(ext)
      }$`,
    );
    const rotated: { name: string; size: number }[] = [];
    for await (const entry of Deno.readDir(dir)) {
      if (entry.isFile && mine.test(entry.name)) {
        const size = (await Deno.stat(join(dir, entry.name))).size;
        rotated.push({ name: entry.name, size });
      }
    }
    rotated.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    // The active file starts empty and may grow to maxFileBytes.
    let total = rotated.reduce((s, f) => s + f.size, 0) +
      this.#opts.maxFileBytes;
    for (const f of rotated) {
      if (total <= this.#opts.maxTotalBytes) break;
      await Deno.remove(join(dir, f.name));
      total -= f.size;
    }
  }

  override async close(): Promise<void> {
    await super.close();
    this.#file?.close();
    this.#file = undefined;
  }
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

async function exists(path: string): Promise<boolean> {
  try {
    await Deno.lstat(path);
    return true;
  } catch {
    return false;
  }
}
