/**
 * The one loop that writes a whole buffer to a Deno writer.
 *
 * @module
 */

/**
 * Writes every byte of `data` to `w` (a single `write` may be partial).
 *
 * @example Usage
 * ```ts
 * await writeAll(Deno.stdout, new TextEncoder().encode("hello\n"));
 * ```
 */
export async function writeAll(
  w: { write(p: Uint8Array): Promise<number> },
  data: Uint8Array,
): Promise<void> {
  let off = 0;
  while (off < data.length) off += await w.write(data.subarray(off));
}
