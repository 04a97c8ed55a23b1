import { availableParallelism } from 'node:os'
import { Worker } from 'node:worker_threads'
import { BUFFER_AT, Crc32c, crc32cMemory, crc32cModule } from './crc32c.js'

/**
 * The CRC-32C of a file's chunks, computed in a worker thread while this thread checks their
 * lines: the scan then costs about the slower of the two, not their sum. The chunks are read into
 * a pool of buffers in the CRC module's memory, which is shared: the worker hashes them where
 * they are (nothing is copied), and a buffer is read into again only once the worker has hashed
 * it. The threads tell each other where they are through a few shared integers (Atomics), not
 * messages: a handover costs this thread a store and a notify.
 *
 * The worker takes ~50 ms to start; until it is up, this thread hashes the chunks itself, and the
 * first chunk it hands over carries the CRC so far. Should the worker fail, this thread hashes
 * what it had not and goes on by itself: the result is the same either way.
 */

/** Buffers in the pool: the chunk being checked, the one being read, and two of slack. */
export const SLOTS = 4

// The shared integers. The worker bumps PROGRESS and notifies it after each step this thread may
// be waiting for (it is up, a chunk is hashed); so does this thread when the worker fails or the
// scan is cancelled. HANDED: chunks handed over so far; HASHED: chunks hashed so far (both counted
// from the file's first chunk); FIRST_CRC: the CRC of the chunks this thread hashed before the
// first it handed over. For each buffer: the length of the chunk in it, and the CRC of the file up
// to the end of that chunk once hashed.
const PROGRESS = 0
const READY = 1
const HANDED = 2
const HASHED = 3
const FIRST_CRC = 4
const LENGTH = 5
const CRC = LENGTH + SLOTS
const CONTROL_INTS = CRC + SLOTS

/**
 * The worker's code, as source text (run with `eval`): it bundles into dist/index.js as a string,
 * and runs the same from the sources in the tests. It blocks in Atomics.wait between chunks,
 * which terminate() interrupts.
 */
const WORKER_SOURCE = `'use strict'
const { workerData } = require('node:worker_threads')
const { module, memory, control, slotBytes } = workerData
const { update } = new WebAssembly.Instance(module, { env: { memory } }).exports
const progress = () => {
  Atomics.add(control, ${PROGRESS}, 1)
  Atomics.notify(control, ${PROGRESS})
}
Atomics.store(control, ${READY}, 1)
progress()
Atomics.wait(control, ${HANDED}, 0)
let hashed = Atomics.load(control, ${HASHED})
let crc = Atomics.load(control, ${FIRST_CRC})
for (;;) {
  if (hashed === Atomics.load(control, ${HANDED})) {
    Atomics.wait(control, ${HANDED}, hashed)
    continue
  }
  const slot = hashed % ${SLOTS}
  const at = ${BUFFER_AT} + slot * slotBytes
  crc = update(crc, at, at + Atomics.load(control, ${LENGTH} + slot))
  Atomics.store(control, ${CRC} + slot, crc)
  Atomics.store(control, ${HASHED}, ++hashed)
  progress()
}
`

/** Atomics.waitAsync (ES2024; the project's TypeScript libs are ES2022). */
type WaitAsync = (
  array: Int32Array,
  index: number,
  value: number
) => { async: false; value: string } | { async: true; value: Promise<string> }

export class CrcWorker {
  /** What readChunks reads into: chunk n of the file in buffers[n % SLOTS]. */
  readonly buffers: Buffer[]
  private readonly control = new Int32Array(new SharedArrayBuffer(CONTROL_INTS * 4))
  private readonly worker: Worker
  /** Hashes on this thread: the chunks before the worker is up, and all after it failed. */
  private inline: Crc32c | undefined = new Crc32c()
  /** Chunks update() was given. */
  private chunks = 0
  /** The first chunk handed to the worker; -1 while none was. */
  private firstHanded = -1
  private failed = false
  private readonly wake = (): void => {
    Atomics.add(this.control, PROGRESS, 1)
    Atomics.notify(this.control, PROGRESS)
  }

  /**
   * The worker, started; undefined with a single core (the two would take turns on it) or when
   * no worker thread can be made. Aborting `signal` rejects what waits on the worker.
   */
  static start(chunkBytes: number, signal?: AbortSignal): CrcWorker | undefined {
    if (availableParallelism() < 2) return undefined
    try {
      return new CrcWorker(chunkBytes, signal)
    } catch {
      return undefined
    }
  }

  private constructor(
    chunkBytes: number,
    private readonly signal?: AbortSignal
  ) {
    const memory = crc32cMemory(SLOTS * chunkBytes)
    this.buffers = Array.from({ length: SLOTS }, (_, slot) =>
      Buffer.from(memory.buffer, BUFFER_AT + slot * chunkBytes, chunkBytes)
    )
    const workerData = {
      module: crc32cModule(),
      memory,
      control: this.control,
      slotBytes: chunkBytes
    }
    this.worker = new Worker(WORKER_SOURCE, { eval: true, workerData })
    // An error in the worker (it could not start, or it died) ends it: the hash goes on here.
    const fail = (): void => {
      this.failed = true
      this.wake()
    }
    this.worker.on('error', fail).on('exit', fail)
    signal?.addEventListener('abort', this.wake, { once: true })
  }

  /** Resolves once the worker is up, or has failed (then all is hashed on this thread). */
  async ready(): Promise<void> {
    await this.until(() => this.up() || this.failed)
  }

  /**
   * Before chunk n is read into its buffer: undefined when the buffer is free, else a promise
   * that resolves once the worker has hashed the chunk it holds.
   */
  free(n: number): Promise<void> | undefined {
    const before = n - SLOTS + 1
    return this.hashed(before) ? undefined : this.until(() => this.hashed(before))
  }

  /** Chunk `chunks` of the file, in its buffer; the caller may check it as soon as this returns. */
  update(chunk: Buffer): void {
    const n = this.chunks++
    if (this.inline !== undefined && this.firstHanded < 0 && this.up()) {
      // From this chunk on the worker hashes, starting from the CRC of those before.
      this.firstHanded = n
      Atomics.store(this.control, HASHED, n)
      Atomics.store(this.control, FIRST_CRC, this.inline.digest())
      this.inline = undefined
    }
    if (this.inline !== undefined) {
      this.inline.update(chunk)
      return
    }
    Atomics.store(this.control, LENGTH + (n % SLOTS), chunk.length)
    Atomics.store(this.control, HANDED, n + 1)
    Atomics.notify(this.control, HANDED)
  }

  /** The CRC of all the chunks, once hashed. */
  async digest(): Promise<number> {
    await this.until(() => this.hashed(this.chunks))
    if (this.inline !== undefined) return this.inline.digest()
    return Atomics.load(this.control, CRC + ((this.chunks - 1) % SLOTS)) >>> 0
  }

  /** Ends the worker, whatever it is doing; it does not keep the process alive meanwhile. */
  close(): void {
    this.signal?.removeEventListener('abort', this.wake)
    this.worker.unref()
    void this.worker.terminate()
  }

  private up(): boolean {
    return !this.failed && Atomics.load(this.control, READY) === 1
  }

  /** The chunks before `count` are hashed, or this thread has them (before or after the worker). */
  private hashed(count: number): boolean {
    return (
      this.inline !== undefined ||
      count <= this.firstHanded ||
      Atomics.load(this.control, HASHED) >= count
    )
  }

  /**
   * Waits until `done()`, which the worker's progress makes true (the waiting holds the process,
   * as the worker does until close()). Should the worker fail meanwhile, this thread first hashes
   * what it had handed over and the worker had not hashed.
   */
  private async until(done: () => boolean): Promise<void> {
    const waitAsync = (Atomics as unknown as { waitAsync: WaitAsync }).waitAsync
    for (;;) {
      const seen = Atomics.load(this.control, PROGRESS)
      if (this.failed && this.inline === undefined) this.takeBack()
      if (done()) return
      this.signal?.throwIfAborted()
      const wait = waitAsync(this.control, PROGRESS, seen)
      if (wait.async) await wait.value
    }
  }

  /**
   * After the worker failed: the CRC up to the last chunk it hashed, then the chunks it had not.
   * Their buffers are intact: readChunks reuses a buffer only once its chunk is hashed.
   */
  private takeBack(): void {
    const hashed = Atomics.load(this.control, HASHED)
    const crc =
      hashed > this.firstHanded
        ? Atomics.load(this.control, CRC + ((hashed - 1) % SLOTS))
        : Atomics.load(this.control, FIRST_CRC)
    const inline = new Crc32c(crc >>> 0)
    for (let n = hashed; n < this.chunks; n++) {
      const slot = n % SLOTS
      inline.update(this.buffers[slot].subarray(0, Atomics.load(this.control, LENGTH + slot)))
    }
    this.inline = inline
  }
}
