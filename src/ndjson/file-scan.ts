import { constants, type Stats } from 'node:fs'
import { lstat, open, stat, type FileHandle } from 'node:fs/promises'
import { Readable } from 'node:stream'
import { Crc32c, crc32cBase64 } from './crc32c.js'
import { CrcWorker } from './crc-worker.js'
import { advice } from '../shared/advice.js'
import { FileCheckError, errorMessage } from '../shared/errors.js'
import { NdjsonChecker, type NdjsonCheck, type UrlSink } from './check.js'
import { formatBytes } from '../shared/format.js'
import { t } from '../shared/outside-text.js'
import { SCRATCH_BYTES } from './fast-path.js'
import { gunzipStream, gzipProblem, isGzip } from './gzip.js'

/**
 * The one pass over the dataset file before it is uploaded: its CRC-32C (for the create request
 * and the signed `x-goog-hash`) and the check of its lines, reading it once in bounded buffers.
 * On a large file the CRC is computed in a worker thread beside the check (crc-worker.ts).
 * A gzip file is decompressed on the way: what is checked, hashed and uploaded is its NDJSON.
 */

export interface FileScan extends NdjsonCheck {
  path: string
  /** What the file was when scanned: the upload reopens only this very file. */
  identity: FileIdentity
  /** The bytes checked, hashed and uploaded: a gzip file's decompressed NDJSON. */
  sizeBytes: number
  /** Set for a gzip file: its own size, on disk. */
  gzipBytes?: number
  /** Base64 of the 4 big-endian bytes, as the API wants it. */
  crc32c: string
}

export interface ScanOptions {
  /** Aborting rejects the scan, with the signal's reason, within one read. */
  signal?: AbortSignal
  /** How errors name the file (the path as the user gave it); the quoted path by default. */
  label?: string
  /** The most bytes the file may hold, decompressed; MAX_FILE_BYTES unless a test wants less. */
  maxBytes?: number
  /** Takes the url of each good line (url-checks.ts), in the same pass. */
  urls?: UrlSink
  /**
   * Where the CRC-32C is computed; every way gives the same result. 'auto': in a worker thread
   * beside the check, for a file of WORKER_FROM_BYTES or more with two cores or more, on this
   * thread until the worker is up; 'inline': on this thread, chunk by chunk before the check;
   * 'worker' (for tests): in the worker from the first chunk, whatever the file's size.
   * A gzip file is always hashed inline: its inflate is the slower stage already.
   */
  crc?: 'auto' | 'inline' | 'worker'
}

/**
 * Google Cloud Storage's limit for one object, so the most one upload can send. A gzip file's
 * NDJSON is held to it as it is decompressed: a small file that inflates past it is stopped there.
 */
export const MAX_FILE_BYTES = 5 * 2 ** 40

/**
 * Bytes per read: big enough that per-read costs vanish, small enough to stay in cache, and
 * exactly what the checker's fast path takes in one piece.
 */
const READ_BYTES = SCRATCH_BYTES

/**
 * The size from which a worker hashes beside the check: it takes ~50 ms to start, in which this
 * thread scans about as much by itself, so on a smaller file it would take no chunk.
 */
export const WORKER_FROM_BYTES = 64 * 2 ** 20

/** The file: its path for the system, its name for messages. */
export interface Where {
  path: string
  name: string
}

/**
 * What tells one file from another, and from itself rewritten. ctime is the one a program cannot
 * set back: a rewrite in place that restores the size, and the mtime with utimes, still moves it
 * (Windows keeps it too).
 */
export interface FileIdentity {
  dev: number
  ino: number
  size: number
  mtimeMs: number
  ctimeMs: number
}

/**
 * Refuses (FileCheckError) a path that is missing, not a regular file, empty, changes while it
 * is read, or has no items. Bad lines are not thrown: they are in `problems` and `badLines`.
 */
export async function scanFile(path: string, options: ScanOptions = {}): Promise<FileScan> {
  const { signal } = options
  const at: Where = { path, name: options.label ?? `"${path}"` }
  const maxBytes = options.maxBytes ?? MAX_FILE_BYTES
  signal?.throwIfAborted()
  const identity = identify(await statFile(at))
  const handle = await openUnchanged(at, identity)
  let beside: CrcWorker | undefined
  try {
    const gzip = await startsGzip(handle, at)
    if (!gzip && identity.size > maxBytes) throw tooLarge(at, maxBytes, false)
    beside = gzip ? undefined : crcWorker(identity.size, options)
    if (options.crc === 'worker') await beside?.ready()
    const crc = beside ?? new Crc32c()
    const checker = new NdjsonChecker(undefined, options.urls)
    let sizeBytes = 0
    const chunks = gzip
      ? gunzipChunks(handle, at, identity, signal)
      : readChunks(handle, at, identity.size, signal, beside)
    for await (const chunk of chunks) {
      sizeBytes += chunk.length
      if (sizeBytes > maxBytes) throw tooLarge(at, maxBytes, true)
      // Handed to the worker first, where there is one, which hashes it during the check.
      crc.update(chunk)
      checker.push(chunk)
    }
    const crc32c = crc32cBase64(await crc.digest())
    if (!sameFile(identify(await handle.stat()), identity)) throw changedError(at)
    // statFile refuses an empty file: only a gzip can hold no bytes.
    if (sizeBytes === 0) {
      throw new FileCheckError(t`${at.name} is gzip-compressed but holds nothing (0 bytes)`, path)
    }
    const check = checker.finish()
    if (check.items === 0) {
      throw new FileCheckError(t`${at.name} has no items: every line is blank`, path)
    }
    return {
      path,
      identity,
      sizeBytes,
      ...(gzip ? { gzipBytes: identity.size } : {}),
      crc32c,
      ...check
    }
  } finally {
    beside?.close()
    await handle.close()
  }
}

/** The worker to hash beside the check, where ScanOptions.crc wants one and it can start. */
function crcWorker(size: number, { crc = 'auto', signal }: ScanOptions): CrcWorker | undefined {
  if (crc === 'inline' || (crc === 'auto' && size < WORKER_FROM_BYTES)) return undefined
  return CrcWorker.start(READ_BYTES, signal)
}

async function startsGzip(handle: FileHandle, at: Where): Promise<boolean> {
  const first = Buffer.alloc(2)
  try {
    await handle.read(first, 0, first.length, 0)
  } catch (error) {
    throw readError(at, error)
  }
  return isGzip(first)
}

function tooLarge({ path, name }: Where, maxBytes: number, gzip: boolean): FileCheckError {
  return new FileCheckError(
    t`${name} ${gzip ? 'decompresses to' : 'is'} more than ${formatBytes(maxBytes)}, the most one upload can hold (Google Cloud Storage's limit for one object); split it into several datasets`,
    path
  )
}

/**
 * A gzip file's NDJSON, in chunks, for the scan and the upload. Each chunk is the caller's to
 * keep. An error says the file is truncated or corrupt, or that it changed while it was read
 * (which would also read as a broken gzip).
 */
async function* gunzipChunks(
  handle: FileHandle,
  at: Where,
  identity: FileIdentity,
  signal?: AbortSignal
): AsyncGenerator<Buffer> {
  const stream = gunzipStream(handle, identity.size)
  const chunks = stream[Symbol.asyncIterator]() as AsyncIterator<Buffer>
  try {
    for (;;) {
      let next: IteratorResult<Buffer>
      try {
        next = await chunks.next()
      } catch (error) {
        const problem = gzipProblem(error)
        if (problem === undefined) throw readError(at, error)
        if (!sameFile(identify(await handle.stat()), identity)) throw changedError(at)
        throw new FileCheckError(t`${at.name} ${problem}`, at.path, advice('gzipBroken'))
      }
      signal?.throwIfAborted()
      if (next.done) return
      yield next.value
    }
  } finally {
    stream.destroy()
  }
}

/**
 * The bytes the scan checked and hashed, read afresh from `handle` (the scanned file, reopened
 * by openUnchanged) for an upload attempt: the file's own bytes, or a gzip file's NDJSON. The
 * stream fails with a FileCheckError if those come to another size than at the scan.
 */
export function scannedBytes(handle: FileHandle, scan: FileScan, name: string): Readable {
  if (scan.gzipBytes === undefined) {
    return handle.createReadStream({
      highWaterMark: READ_BYTES,
      start: 0,
      end: Math.max(0, scan.sizeBytes - 1),
      autoClose: false
    })
  }
  // Byte mode: Readable.from would otherwise read up to 16 chunks ahead.
  return Readable.from(scannedChunks(handle, scan, name), { objectMode: false })
}

/**
 * The same bytes in chunks, each valid until the next is asked for: for a second read in the
 * step (the URL sample). Fails as scannedBytes does; rejects with the signal's reason on abort.
 */
export function scannedChunks(
  handle: FileHandle,
  scan: Pick<FileScan, 'path' | 'identity' | 'sizeBytes' | 'gzipBytes'>,
  name: string,
  signal?: AbortSignal
): AsyncGenerator<Buffer> {
  const at = { path: scan.path, name }
  return scan.gzipBytes === undefined
    ? readChunks(handle, at, scan.sizeBytes, signal)
    : sizedAsScanned(gunzipChunks(handle, at, scan.identity, signal), scan, at)
}

async function* sizedAsScanned(
  chunks: AsyncGenerator<Buffer>,
  scan: Pick<FileScan, 'sizeBytes'>,
  at: Where
): AsyncGenerator<Buffer> {
  let size = 0
  for await (const chunk of chunks) {
    size += chunk.length
    // Past the size the upload is signed for, the rest is not worth decompressing.
    if (size > scan.sizeBytes) break
    yield chunk
  }
  if (size !== scan.sizeBytes) {
    const found =
      size > scan.sizeBytes
        ? `more than the ${scan.sizeBytes} bytes it had`
        : `${size} bytes, not the ${scan.sizeBytes} it had`
    throw new FileCheckError(
      t`${at.name} decompressed to ${found} when it was checked: it changed since`,
      at.path,
      advice('fileChanged')
    )
  }
}

/** Buffers for readChunks to read into in turn, and when one may be read into again. */
export interface ReadPool {
  buffers: Buffer[]
  /** Before chunk n is read into buffers[n % buffers.length]: a promise to wait for, if any. */
  free?(n: number): Promise<void> | undefined
}

/**
 * The file's `size` bytes in chunks, reading the next chunk into the next buffer of the pool
 * while the caller works on this one. A chunk is valid until the next one is asked for, and with
 * a pool's `free` until its buffer is free.
 */
export async function* readChunks(
  handle: FileHandle,
  file: Where,
  size: number,
  signal?: AbortSignal,
  pool: ReadPool = { buffers: [Buffer.allocUnsafe(READ_BYTES), Buffer.allocUnsafe(READ_BYTES)] }
): AsyncGenerator<Buffer> {
  const { buffers } = pool
  const read = (n: number, at: number): Promise<number> => {
    const buffer = buffers[n % buffers.length]
    const reading = (): Promise<number> =>
      handle.read(buffer, 0, Math.min(buffer.length, size - at), at).then(
        result => result.bytesRead,
        (error: unknown) => Promise.reject(readError(file, error))
      )
    const free = pool.free?.(n)
    return free === undefined ? reading() : free.then(reading)
  }
  let at = 0
  let n = 0
  let pending = read(n, at)
  try {
    while (at < size) {
      const length = await pending
      signal?.throwIfAborted()
      if (length === 0) throw changedError(file) // it got shorter
      const chunk = buffers[n % buffers.length].subarray(0, length)
      at += length
      n++
      pending = at < size ? read(n, at) : Promise.resolve(0)
      yield chunk
    }
  } finally {
    // Never leave a read in flight into a buffer, or on a handle about to be closed.
    await pending.catch(() => undefined)
  }
}

function identify(info: Stats): FileIdentity {
  const { dev, ino, size, mtimeMs, ctimeMs } = info
  return { dev, ino, size, mtimeMs, ctimeMs }
}

function sameFile(a: FileIdentity, b: FileIdentity): boolean {
  return (
    a.dev === b.dev &&
    a.ino === b.ino &&
    a.size === b.size &&
    a.mtimeMs === b.mtimeMs &&
    a.ctimeMs === b.ctimeMs
  )
}

/** stat() follows symbolic links, so a link to a good file is fine. Opens nothing. */
async function statFile({ path, name }: Where): Promise<Stats> {
  let info: Stats
  try {
    info = await stat(path)
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT' && (await isLink(path))) {
      throw new FileCheckError(t`${name} is a symbolic link to a file that does not exist`, path)
    }
    throw readError({ path, name }, error)
  }
  const problem = notARegularFile(info)
  if (problem !== undefined) throw new FileCheckError(t`${name} ${problem}`, path)
  if (info.size === 0) throw new FileCheckError(t`${name} is empty (0 bytes)`, path)
  return info
}

function notARegularFile(info: Stats): string | undefined {
  if (info.isFile()) return undefined
  if (info.isDirectory()) return 'is a directory, not a file'
  if (info.isFIFO()) return 'is a named pipe (FIFO), not a regular file'
  if (info.isSocket()) return 'is a socket, not a regular file'
  if (info.isCharacterDevice() || info.isBlockDevice()) return 'is a device, not a regular file'
  return 'is not a regular file'
}

async function isLink(path: string): Promise<boolean> {
  try {
    return (await lstat(path)).isSymbolicLink()
  } catch {
    return false
  }
}

/**
 * Opens the file statFile() checked (and, for each upload attempt, the file that was scanned). O_NONBLOCK makes open() return at once should the path have
 * been swapped for a FIFO since (a blocking open would wait for a writer forever); on a regular
 * file it changes nothing. Windows has neither the flag nor such FIFOs.
 */
export async function openUnchanged(at: Where, identity: FileIdentity): Promise<FileHandle> {
  let handle: FileHandle
  try {
    handle = await open(at.path, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0))
  } catch (error) {
    throw readError(at, error)
  }
  try {
    if (!sameFile(identify(await handle.stat()), identity)) throw changedError(at)
    return handle
  } catch (error) {
    await handle.close()
    throw error
  }
}

function changedError({ path, name }: Where): FileCheckError {
  return new FileCheckError(t`${name} changed while it was being read`, path, advice('fileChanged'))
}

/** A FileCheckError for a system error on the path; anything else as it is. */
function readError({ path, name }: Where, error: unknown): unknown {
  const code = (error as NodeJS.ErrnoException | undefined)?.code
  switch (code) {
    case undefined:
      return error
    case 'ENOENT':
      return new FileCheckError(t`${name} does not exist`, path)
    case 'ENOTDIR':
      return new FileCheckError(
        t`${name} does not exist: part of the path is not a directory`,
        path
      )
    case 'EACCES':
    case 'EPERM':
      return new FileCheckError(t`${name} cannot be read: permission denied`, path)
    case 'ELOOP':
      return new FileCheckError(t`${name} cannot be read: too many symbolic links (a loop?)`, path)
    default:
      return new FileCheckError(t`${name} cannot be read: ${errorMessage(error)}`, path)
  }
}
