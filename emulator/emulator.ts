/**
 * A strict local emulator of the Nexus batch-datasets API and of the GCS signed-URL
 * upload, for the end-to-end tests, the demo, the benchmark and the CI self-test.
 *
 * Two HTTP servers on 127.0.0.1: the API and a separate upload host, so a test can check
 * that the secret key never reaches the storage side. Every request is recorded, and
 * faults (delays, canned, scripted or dripping answers, dropped, hung or reset connections)
 * can be injected per rule.
 *
 * Like real servers, both answer as soon as they know the answer: a client sending
 * `Expect: 100-continue` gets `100 Continue` only once its body is wanted, so a refusal
 * decided from the headers comes alone; and a connection answered before its request body
 * was read to the end is closed once the answer is out, not read on to be reused.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo, Socket } from 'node:net'
import { errorMessage } from '../src/shared/errors.js'
import { ApiHandler } from './api.js'
import { FaultBook } from './faults.js'
import { apiError, drainBody, hasBody, newRecord, sendOpenEndedHead, sendReply } from './http.js'
import { UrlSigner } from './signing.js'
import { DatasetStore, type DatasetState, type SeedInit } from './store.js'
import type {
  EmulatorOptions,
  FaultRule,
  RecordedRequest,
  Reply,
  RequestContext,
  ServerName,
  WireDataset
} from './types.js'
import { UploadHandler } from './upload.js'

export type {
  EmulatorOptions,
  FaultAnswer,
  FaultRule,
  RecordedRequest,
  ScriptedAnswer,
  ServerName,
  WireDataset
} from './types.js'

export const DEFAULT_SECRET_KEY = 'sk_test_4f3c2a1b0e9d8c7b6a5f4e3d2c1b0a9f8e7d6c5b'
const DEFAULT_PROJECT_ID = 'proj_ca5fe71e7592bbcf7705ea36e4f29ed4'
const HOUR_MS = 60 * 60 * 1000
const DAY_MS = 24 * HOUR_MS
const HOST = '127.0.0.1'

export class Emulator {
  readonly requests: RecordedRequest[] = []
  private readonly faults = new FaultBook()
  /** Every pending timer, with what close() calls once it has cleared it. */
  private readonly timers = new Map<NodeJS.Timeout, () => void>()
  private closing: Promise<void> | undefined

  private constructor(
    readonly apiUrl: string,
    readonly uploadOrigin: string,
    readonly secretKey: string,
    readonly projectId: string,
    private readonly servers: Record<ServerName, Server>,
    /** Every open connection of both servers, so close() can cut them. */
    private readonly sockets: Set<Socket>,
    private readonly store: DatasetStore,
    private readonly handlers: {
      api: ApiHandler
      upload: UploadHandler
    }
  ) {
    for (const name of ['api', 'upload'] as const) {
      servers[name].on('request', (req: IncomingMessage, res: ServerResponse) => {
        void this.dispatch(name, req, res, false)
      })
      // With a listener Node leaves `100 Continue` to us instead of sending it at once.
      servers[name].on('checkContinue', (req: IncomingMessage, res: ServerResponse) => {
        void this.dispatch(name, req, res, true)
      })
    }
  }

  static async start(options: EmulatorOptions = {}): Promise<Emulator> {
    const secretKey = options.secretKey ?? DEFAULT_SECRET_KEY
    const projectId = options.projectId ?? DEFAULT_PROJECT_ID
    const now = options.now ?? Date.now
    const sockets = new Set<Socket>()
    // No server-side request timeout: a slow upload or a client's own timeout is what the
    // tests look at, and close() ends whatever is left.
    const api = createServer({ requestTimeout: 0 })
    const upload = createServer({ requestTimeout: 0 })
    for (const server of [api, upload]) {
      server.on('connection', socket => {
        sockets.add(socket)
        // A dropped or reset connection must never take the process down.
        socket.on('error', () => undefined)
        socket.once('close', () => sockets.delete(socket))
      })
    }
    const apiPort = await listen(api, options.apiPort ?? 0)
    const uploadPort = await listen(upload, 0).catch(async (error: unknown) => {
      await new Promise(resolve => api.close(resolve))
      throw error
    })
    const apiUrl = `http://${HOST}:${apiPort}`
    const uploadOrigin = `http://${HOST}:${uploadPort}`

    const signer = new UrlSigner(uploadOrigin)
    const store = new DatasetStore(
      {
        projectId,
        processingMs: options.processingMs ?? 0,
        finalStatus: options.finalStatus ?? 'Uploaded',
        itemCountOverride: options.itemCountOverride,
        uploadUrlTtlMs: options.uploadUrlTtlMs ?? 12 * HOUR_MS,
        datasetTtlMs: options.datasetTtlMs ?? 10 * DAY_MS,
        now
      },
      signer
    )
    const handlers = {
      api: new ApiHandler({ secretKey, projectId }, store),
      upload: new UploadHandler({ keepUploads: options.keepUploads ?? true, now }, signer, store)
    }
    return new Emulator(
      apiUrl,
      uploadOrigin,
      secretKey,
      projectId,
      { api, upload },
      sockets,
      store,
      handlers
    )
  }

  /** Adds a fault rule; rules are consulted in the order added (see emulator-faults.ts). */
  fault(rule: FaultRule): void {
    this.faults.add(rule)
  }

  clearFaults(): void {
    this.faults.clear()
  }

  /** Seeds a dataset (default status `Uploaded`; `Waiting` ones accept an upload). */
  addDataset(init: SeedInit): WireDataset {
    return this.store.wire(this.store.seed(init))
  }

  dataset(id: string): WireDataset | undefined {
    const state = this.store.get(id)
    return state === undefined ? undefined : this.store.wire(state)
  }

  /** All datasets, expired ones included, in list order (createDate, then id). */
  datasets(): WireDataset[] {
    return this.store.all().map(state => this.store.wire(state))
  }

  /** A copy of the stored object's bytes; undefined without an upload or with keepUploads false. */
  uploadedBytes(id: string): Buffer | undefined {
    const bytes = this.store.get(id)?.object?.bytes
    return bytes === undefined ? undefined : Buffer.from(bytes)
  }

  /** Forces a status from now on (until an upload starts); itemCount defaults to the current one. */
  setStatus(id: string, overview: string, itemCount?: number): void {
    this.store.setStatus(this.mustGet(id), overview, itemCount)
  }

  /** Closes both servers; hung, delayed and open connections are cut at once. */
  close(): Promise<void> {
    this.closing ??= this.shutdown()
    return this.closing
  }

  private async shutdown(): Promise<void> {
    for (const [timer, wake] of this.timers) {
      clearTimeout(timer)
      wake()
    }
    this.timers.clear()
    const closed = Object.values(this.servers).map(
      server => new Promise<void>(resolve => server.close(() => resolve()))
    )
    for (const socket of this.sockets) socket.destroy()
    this.sockets.clear()
    await Promise.all(closed)
  }

  private mustGet(id: string): DatasetState {
    const state = this.store.get(id)
    if (state === undefined) throw new Error(`emulator: no dataset ${id}`)
    return state
  }

  private async dispatch(
    server: ServerName,
    req: IncomingMessage,
    res: ServerResponse,
    expectsContinue: boolean
  ): Promise<void> {
    req.on('error', () => undefined)
    res.on('error', () => undefined)
    const record = newRecord(server, req)
    this.requests.push(record)
    const ctx: RequestContext = {
      req,
      record,
      cut: false,
      sendContinue: () => {
        if (!expectsContinue || record.continued) return
        record.continued = true
        res.writeContinue()
      }
    }
    const dropped = (): void => {
      record.answered = 'dropped'
      req.socket.destroy()
    }
    try {
      const fault = this.faults.take(server, record.method, record.path)
      const rule = fault?.rule
      const resetAfterAnswer = rule?.resetAfterAnswer === true
      if (rule?.delayMs !== undefined && rule.delayMs > 0) await this.sleep(rule.delayMs)
      if (this.closing !== undefined || req.socket.destroyed) return dropped()
      if (rule?.drop === 'before') return dropped()
      if (rule?.hang === true) {
        // Never answered; close() destroys the socket.
        record.answered = 'hung'
        return
      }
      const respond = fault?.respond
      if (respond !== undefined) {
        // A canned answer needs no body: a client waiting for 100 gets it at once instead,
        // as real servers send a refusal they can decide early.
        if (!expectsContinue && !(await drainBody(ctx))) return dropped()
        const { status, headers = {}, body = '', dripMs } = respond(record)
        return this.answer(ctx, res, { status, headers, body }, { resetAfterAnswer, dripMs })
      }
      if (rule?.drop === 'mid-body') {
        if (!hasBody(req)) return dropped()
        const length = Number(req.headers['content-length'])
        ctx.cutAt = Number.isFinite(length) && length > 1 ? Math.floor(length / 2) : 1
      }
      const reply = await this.handlers[server].handle(ctx)
      if (rule?.answerDelayMs !== undefined && rule.answerDelayMs > 0)
        await this.sleep(rule.answerDelayMs)
      if (reply === undefined || ctx.cut || rule?.drop === 'after') return dropped()
      if (rule?.drop === 'mid-body') {
        // The handler answered without reading the body; still cut it halfway.
        await drainBody(ctx)
        return dropped()
      }
      this.answer(ctx, res, reply, { resetAfterAnswer })
    } catch (error) {
      const message = errorMessage(error)
      this.answer(ctx, res, apiError(500, `Internal emulator error: ${message}`))
    }
  }

  /**
   * Sends a reply. One sent before the request body was read to its end says
   * `connection: close` and closes the connection once flushed, so bytes the client is
   * still sending meet a reset; resetAfterAnswer resets the connection there instead.
   */
  private answer(
    ctx: RequestContext,
    res: ServerResponse,
    reply: Reply,
    how: { resetAfterAnswer?: boolean; dripMs?: number } = {}
  ): void {
    const { req, record } = ctx
    if (res.destroyed || res.headersSent) {
      record.answered = 'dropped'
      return
    }
    record.answered = reply.status
    const early = hasBody(req) && !req.readableEnded
    if (early || how.resetAfterAnswer === true) {
      const socket = req.socket
      // 'finish' means the answer is written out. Ahead of Node's own listener, which
      // half-closes a socket that is not kept alive: libuv refuses a reset after that.
      res.prependOnceListener('finish', () => {
        if (how.resetAfterAnswer === true) socket.resetAndDestroy()
        else socket.destroy()
      })
    }
    const own: Record<string, string> = early ? { connection: 'close' } : {}
    if (how.dripMs === undefined) sendReply(res, reply, own)
    else this.drip(res, reply, how.dripMs, own)
  }

  /**
   * Sends the head at once, then the body one byte every `everyMs`, round and round,
   * until the client goes away or close() (which clears the pending timer).
   */
  private drip(
    res: ServerResponse,
    reply: Reply,
    everyMs: number,
    own: Record<string, string>
  ): void {
    sendOpenEndedHead(res, reply, own)
    const body = Buffer.from(reply.body, 'utf8')
    let next = 0
    let pending: NodeJS.Timeout | undefined
    const stop = (): void => {
      if (pending === undefined) return
      clearTimeout(pending)
      this.timers.delete(pending)
      pending = undefined
    }
    const schedule = (): void => {
      // A 'drain' may come once close() has begun; no timer may start then.
      if (this.closing !== undefined || res.destroyed) return
      const timer = setTimeout(() => {
        this.timers.delete(timer)
        pending = undefined
        const byte = body.subarray(next, next + 1)
        next = (next + 1) % body.length
        // A client that stops reading is sent nothing more until it reads again.
        if (res.write(byte)) schedule()
        else res.once('drain', schedule)
      }, everyMs)
      pending = timer
      // Nothing to wake: close() destroys the socket, which ends the drip.
      this.timers.set(timer, () => undefined)
    }
    res.once('close', stop)
    schedule()
  }

  /** A delay that close() ends at once, so no timer outlives the emulator. */
  private sleep(ms: number): Promise<void> {
    return new Promise(resolve => {
      const timer = setTimeout(() => {
        this.timers.delete(timer)
        resolve()
      }, ms)
      this.timers.set(timer, resolve)
    })
  }
}

function listen(server: Server, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject)
    server.listen(port, HOST, () => {
      server.off('error', reject)
      resolve((server.address() as AddressInfo).port)
    })
  })
}
