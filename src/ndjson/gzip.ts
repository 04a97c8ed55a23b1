import type { FileHandle } from 'node:fs/promises'
import { pipeline, type Readable } from 'node:stream'
import { createGunzip } from 'node:zlib'
import { SCRATCH_BYTES } from './fast-path.js'

/**
 * A dataset file may be gzip-compressed (GitHub refuses files over 100 MB, so a large NDJSON is
 * committed gzipped): it is told by its magic number, whatever its name, and decompressed as it
 * is read, both for the scan and for each upload attempt.
 */

/** The first two bytes of every gzip member (RFC 1952). */
export const GZIP_MAGIC = [0x1f, 0x8b]

export function isGzip(firstBytes: Uint8Array): boolean {
  return firstBytes[0] === GZIP_MAGIC[0] && firstBytes[1] === GZIP_MAGIC[1]
}

/**
 * The bytes the gzip file's first `size` bytes decompress to. zlib inflates on libuv's thread
 * pool while the caller works on the last chunk, and only as fast as the caller takes the chunks:
 * memory stays at a few chunks however far the data inflates (a gzip of zeros does a thousandfold).
 * Members one after the other (`cat a.gz b.gz`) are one stream; zero bytes after the last
 * member (tar's padding) are ignored. The stream fails with the read's system error, or with
 * zlib's (see gzipProblem). Destroying it stops the read; the handle stays open.
 */
export function gunzipStream(handle: FileHandle, size: number): Readable {
  return pipeline(
    handle.createReadStream({
      start: 0,
      end: size - 1,
      highWaterMark: SCRATCH_BYTES,
      autoClose: false
    }),
    // Chunks as large as the checker's fast path takes in one piece: fewer thread-pool round trips.
    createGunzip({ chunkSize: SCRATCH_BYTES }),
    // The error reaches whoever reads the stream; the callback only keeps it from being unhandled.
    () => undefined
  )
}

/**
 * What an error of gunzipStream says of the file, as text after the file's name; undefined when
 * it is not zlib's (a read error).
 */
export function gzipProblem(error: unknown): string | undefined {
  const { code, message } = (error ?? {}) as { code?: unknown; message?: unknown }
  if (typeof code !== 'string' || !code.startsWith('Z_')) return undefined
  if (code === 'Z_BUF_ERROR') {
    return 'is a truncated gzip file: it ends before its compressed data does'
  }
  return `is a corrupt gzip file (zlib: ${String(message)})`
}
