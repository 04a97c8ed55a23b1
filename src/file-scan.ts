import { constants, type Stats } from 'node:fs'
import { lstat, open, stat, type FileHandle } from 'node:fs/promises'
import { availableParallelism } from 'node:os'
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads'
import { Crc32c, crc32cBase64, crc32cCombine } from './crc32c.js'
import { FileCheckError } from './errors.js'
import { mergeChecks, NdjsonChecker, type NdjsonCheck } from './ndjson-check.js'

/**
 * The one pass over the dataset file before it is uploaded: CRC-32C (for the create request and
 * the signed `x-goog-hash`) and the line check, reading the file once in bounded buffers.
 */

export interface FileScan extends NdjsonCheck {
  path: string
  sizeBytes: number
  /** Base64 of the 4 big-endian bytes, as the API wants it. */
  crc32c: string
}

export interface ScanOptions {
  signal?: AbortSignal
  /**
   * A script to start scan workers from, to use more than one core on big files. It must call
   * runScanWorker() first thing when isScanWorker() is true, and do nothing else then. In the
   * ncc bundle that is the bundle itself: `new URL(import.meta.url)` from the entry point.
   * Without it the scan runs on the calling thread only.
   */
  workerScript?: URL
}

/** Bytes per read: big enough that per-read costs vanish, small enough to stay in cache. */
const READ_BYTES = 1 << 20

/** Below this a worker costs more to start (tens of milliseconds) than it saves. */
const PARALLEL_MIN_BYTES = 48 << 20

/** The unit of work threads claim in turn; small enough to keep them evenly busy to the end. */
const SEGMENT_BYTES = 8 << 20

/** Each worker holds its own heap (~10-20 MiB): a cap keeps the action within its memory budget. */
const MAX_WORKERS = 2

/** Marks the workerData of a scan worker, so the entry point can tell it apart. */
const WORKER_TAG = 'nexusDatasetScan'

/** What a thread found in file bytes [start, end). */
export interface RangeScan {
  start: number
  end: number
  /** CRC-32C of exactly the bytes [start, end). */
  crc: number
  /** Check of the lines that start in [start, end), read to their ends; line numbers from 1. */
  check: NdjsonCheck
}

interface FileIdentity {
  dev: number
  ino: number
  size: number
  mtimeMs: number
}

interface WorkerJob {
  path: string
  identity: FileIdentity
  segments: number
  /** Int32Array[1] on a SharedArrayBuffer: the next unclaimed segment. */
  next: SharedArrayBuffer
}

type WorkerMessage = { scan: RangeScan } | { error: string; fileCheck: boolean }

export async function scanFile(path: string, options: ScanOptions = {}): Promise<FileScan> {
  const { signal, workerScript } = options
  signal?.throwIfAborted()
  const identity = identify(await statFile(path))
  const handle = await openFile(path, identity)
  try {
    const workers = workerCount(identity.size)
    const scans =
      workerScript !== undefined && workers > 0
        ? await scanInParallel(handle, path, identity, workerScript, workers, signal)
        : [await scanRange(handle, path, 0, identity.size, await ScanBuffers.create(), signal)]
    await checkUnchanged(handle, path, identity)
    const { crc, check } = combineRanges(scans)
    if (check.items === 0) {
      throw new FileCheckError(`"${path}" has no items: every line is blank`, path)
    }
    return { path, sizeBytes: identity.size, crc32c: crc32cBase64(crc), ...check }
  } finally {
    await handle.close()
  }
}

/** Combines the scans of consecutive ranges that together cover a file, in order. */
export function combineRanges(scans: RangeScan[]): { crc: number; check: NdjsonCheck } {
  let crc = 0
  let check: NdjsonCheck = { items: 0, lines: 0, badLines: 0, problems: [] }
  for (const scan of scans) {
    crc = crc32cCombine(crc, scan.crc, scan.end - scan.start)
    check = mergeChecks(check, scan.check)
  }
  return { crc, check }
}

/** Per-thread state reused from range to range: the CRC and two read buffers. */
export class ScanBuffers {
  private constructor(
    readonly crc: Crc32c,
    readonly buffers: [Buffer, Buffer]
  ) {}

  static async create(): Promise<ScanBuffers> {
    return new ScanBuffers(await Crc32c.create(), [
      Buffer.allocUnsafe(READ_BYTES),
      Buffer.allocUnsafe(READ_BYTES)
    ])
  }
}

/**
 * Scans file bytes [start, end): their CRC, and the check of the lines that start among them
 * (a line starts at 0 and after each '\n'), read to their ends even past `end`. Ranges that
 * tile a file can so be scanned independently and combined with combineRanges().
 */
export async function scanRange(
  handle: FileHandle,
  path: string,
  start: number,
  end: number,
  state: ScanBuffers,
  signal?: AbortSignal
): Promise<RangeScan> {
  const checker = new NdjsonChecker({ atFileStart: start === 0 })
  // Before `start`, only the previous byte matters: whether a line starts right at `start`.
  let checking = start === 0
  let lastByte = -1
  for await (const { at, chunk } of readChunks(handle, path, start === 0 ? 0 : start - 1, end, state, signal)) {
    state.crc.update(at < start ? chunk.subarray(start - at) : chunk)
    let from = 0
    if (!checking) {
      const nl = chunk.indexOf(0x0a)
      if (nl < 0) continue
      from = nl + 1
      checking = true
    }
    if (from < chunk.length) {
      checker.push(chunk.subarray(from))
      lastByte = chunk[chunk.length - 1]
    }
  }
  const crc = state.crc.digest()
  if (checking && lastByte !== 0x0a && lastByte !== -1) {
    // The last line started here: read on to its end.
    for await (const { chunk } of readChunks(handle, path, end, Infinity, state, signal)) {
      const nl = chunk.indexOf(0x0a)
      checker.push(nl < 0 ? chunk : chunk.subarray(0, nl + 1))
      if (nl >= 0) break
    }
  }
  return { start, end, crc, check: checker.finish() }
}

/**
 * File bytes [from, to) (to the end of the file when `to` is Infinity) in chunks, reading the
 * next chunk into the other buffer while the caller works on this one. A chunk is only valid
 * until the next one is asked for.
 */
async function* readChunks(
  handle: FileHandle,
  path: string,
  from: number,
  to: number,
  state: ScanBuffers,
  signal?: AbortSignal
): AsyncGenerator<{ at: number; chunk: Buffer }> {
  const [first, second] = state.buffers
  const read = (buffer: Buffer, at: number): Promise<number> =>
    at >= to
      ? Promise.resolve(0)
      : handle
          .read(buffer, 0, Math.min(buffer.length, to - at), at)
          .then(r => r.bytesRead, (error: unknown) => Promise.reject(readError(path, error)))
  let buffer = first
  let at = from
  let pending = read(buffer, at)
  try {
    for (;;) {
      const length = await pending
      signal?.throwIfAborted()
      if (length === 0) {
        if (at < to && to !== Infinity) throw changedError(path)
        return
      }
      const chunk = buffer.subarray(0, length)
      buffer = buffer === first ? second : first
      pending = read(buffer, at + length)
      yield { at, chunk }
      at += length
    }
  } finally {
    // Never leave a read in flight into a buffer that is reused or a handle about to close.
    await pending.catch(() => undefined)
  }
}

function identify(info: Stats): FileIdentity {
  return { dev: info.dev, ino: info.ino, size: info.size, mtimeMs: info.mtimeMs }
}

/** stat() follows symbolic links, so a link to a good file is fine. Never opens anything. */
async function statFile(path: string): Promise<Stats> {
  let info: Stats
  try {
    info = await stat(path)
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT' && (await isLink(path))) {
      throw new FileCheckError(`"${path}" is a symbolic link to a file that does not exist`, path)
    }
    throw readError(path, error)
  }
  const problem = notARegularFile(info)
  if (problem !== undefined) throw new FileCheckError(`"${path}" ${problem}`, path)
  if (info.size === 0) throw new FileCheckError(`"${path}" is empty (0 bytes)`, path)
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
 * Opens the file checked by statFile. O_NONBLOCK makes open() return at once should the path
 * have been swapped for a FIFO since (a blocking open would wait for a writer forever); on a
 * regular file it changes nothing. Windows has no such flag and no such FIFOs.
 */
async function openFile(path: string, identity: FileIdentity): Promise<FileHandle> {
  let handle: FileHandle
  try {
    handle = await open(path, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0))
  } catch (error) {
    throw readError(path, error)
  }
  try {
    const now = identify(await handle.stat())
    if (
      now.dev !== identity.dev ||
      now.ino !== identity.ino ||
      now.size !== identity.size ||
      now.mtimeMs !== identity.mtimeMs
    ) {
      throw changedError(path)
    }
    return handle
  } catch (error) {
    await handle.close()
    throw error
  }
}

async function checkUnchanged(handle: FileHandle, path: string, identity: FileIdentity): Promise<void> {
  const now = identify(await handle.stat())
  if (now.size !== identity.size || now.mtimeMs !== identity.mtimeMs) throw changedError(path)
}

function changedError(path: string): FileCheckError {
  return new FileCheckError(
    `"${path}" changed while it was being read; try again once nothing writes to it`,
    path
  )
}

function readError(path: string, error: unknown): Error {
  const code = (error as NodeJS.ErrnoException).code
  switch (code) {
    case undefined:
      return error as Error
    case 'ENOENT':
      return new FileCheckError(`"${path}" does not exist`, path)
    case 'ENOTDIR':
      return new FileCheckError(`"${path}" does not exist: part of the path is not a directory`, path)
    case 'EACCES':
    case 'EPERM':
      return new FileCheckError(`"${path}" cannot be read: permission denied`, path)
    case 'ELOOP':
      return new FileCheckError(`"${path}" cannot be read: too many symbolic links (a loop?)`, path)
    default:
      return new FileCheckError(`"${path}" cannot be read: ${(error as Error).message}`, path)
  }
}

function workerCount(size: number): number {
  if (size < PARALLEL_MIN_BYTES) return 0
  return Math.max(0, Math.min(MAX_WORKERS, availableParallelism() - 1))
}

/**
 * Splits the file into SEGMENT_BYTES segments that this thread and `workers` workers claim in
 * turn through a shared counter, so a worker that starts late simply takes fewer of them.
 */
async function scanInParallel(
  handle: FileHandle,
  path: string,
  identity: FileIdentity,
  workerScript: URL,
  workers: number,
  signal: AbortSignal | undefined
): Promise<RangeScan[]> {
  const segments = Math.ceil(identity.size / SEGMENT_BYTES)
  const next = new SharedArrayBuffer(4)
  const counter = new Int32Array(next)
  const scans: RangeScan[] = new Array<RangeScan>(segments)
  // Stops everyone at the first failure or on the caller's abort.
  const stop = new AbortController()
  const onAbort = (): void => stop.abort(signal?.reason)
  signal?.addEventListener('abort', onAbort, { once: true })
  const job: WorkerJob = { path, identity, segments, next }
  // These never reject (so nothing is left unhandled while this thread works): a failure stops
  // this thread's loop instead, and is thrown below.
  const running = Array.from({ length: workers }, () =>
    runWorker(workerScript, job, scans, stop.signal).catch((error: unknown) => stop.abort(error))
  )
  try {
    const state = await ScanBuffers.create()
    for (;;) {
      const k = Atomics.add(counter, 0, 1)
      if (k >= segments) break
      const start = k * SEGMENT_BYTES
      const end = Math.min(identity.size, start + SEGMENT_BYTES)
      scans[k] = await scanRange(handle, path, start, end, state, stop.signal)
    }
  } catch (error) {
    stop.abort(error)
  }
  await Promise.all(running)
  signal?.removeEventListener('abort', onAbort)
  if (stop.signal.aborted) throw signal?.aborted ? signal.reason : stop.signal.reason
  for (let k = 0; k < segments; k++) {
    if (scans[k] === undefined) throw new Error(`file scan: segment ${k} was never scanned`)
  }
  return scans
}

/** Runs one worker until the segments run out; rejects if it fails or `stop` fires. */
function runWorker(
  script: URL,
  job: WorkerJob,
  scans: RangeScan[],
  stop: AbortSignal
): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    let failure: Error | undefined
    const worker = new Worker(script, { workerData: { [WORKER_TAG]: job } })
    const onStop = (): void => {
      failure ??= stop.reason as Error
      void worker.terminate()
    }
    stop.addEventListener('abort', onStop, { once: true })
    worker.on('message', (message: WorkerMessage) => {
      if ('scan' in message) {
        scans[Math.round(message.scan.start / SEGMENT_BYTES)] = message.scan
      } else {
        failure ??= message.fileCheck
          ? new FileCheckError(message.error, job.path)
          : new Error(`file scan worker failed: ${message.error}`)
      }
    })
    worker.on('error', error => {
      failure ??= error
    })
    worker.on('exit', code => {
      stop.removeEventListener('abort', onStop)
      if (failure === undefined && code !== 0) {
        failure = new Error(`file scan worker exited with code ${code}`)
      }
      if (failure === undefined) resolve()
      else reject(failure)
    })
  })
}

/** Whether this thread is a scan worker started by scanFile(); see ScanOptions.workerScript. */
export function isScanWorker(): boolean {
  return (
    !isMainThread &&
    typeof workerData === 'object' &&
    workerData !== null &&
    WORKER_TAG in (workerData as object)
  )
}

/** The body of a scan worker: claims and scans segments until none are left. */
export async function runScanWorker(): Promise<void> {
  const job = (workerData as Record<string, WorkerJob>)[WORKER_TAG]
  const port = parentPort as NonNullable<typeof parentPort>
  const counter = new Int32Array(job.next)
  const { size } = job.identity
  try {
    const handle = await openFile(job.path, job.identity)
    try {
      const state = await ScanBuffers.create()
      for (;;) {
        const k = Atomics.add(counter, 0, 1)
        if (k >= job.segments) break
        const start = k * SEGMENT_BYTES
        const end = Math.min(size, start + SEGMENT_BYTES)
        const message: WorkerMessage = { scan: await scanRange(handle, job.path, start, end, state) }
        port.postMessage(message)
      }
    } finally {
      await handle.close()
    }
  } catch (error) {
    const message: WorkerMessage = {
      error: error instanceof Error ? error.message : String(error),
      fileCheck: error instanceof FileCheckError
    }
    port.postMessage(message)
  }
}
