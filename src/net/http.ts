/**
 * One HTTP exchange over node:http with the proxy-aware agent of
 * @actions/http-client. We drive node:http ourselves because the uploads need
 * byte-exact signed headers, a stall watchdog and cancellation, none of which
 * HttpClient's request methods offer; its agents still give us https_proxy and
 * no_proxy handling exactly as every other action has it.
 */
import * as http from 'node:http'
import * as https from 'node:https'
import type { Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { HttpClient } from '@actions/http-client'
import { ActionError, TransportError, errorMessage } from '../shared/errors.js'
import { formatSeconds } from '../shared/format.js'
import { t, type Inert } from '../shared/outside-text.js'

export interface HttpRequest {
  method: string
  url: URL
  headers: Record<string, string>
  /** A buffer, or a factory for a fresh stream (one per attempt). */
  body?: Buffer | (() => Readable)
  /**
   * Milliseconds the exchange may go without progress (bytes sent or received)
   * before it is abandoned. For small API calls this bounds the whole call.
   */
  idleTimeoutMs: number
  /** Cap on the whole exchange; defaults to no cap beyond the idle timeout. */
  totalTimeoutMs?: number
  /**
   * Once the whole body has been handed to the socket, the complete answer must come within this
   * many ms, however slowly its bytes trickle in (each byte resets only the idle timer).
   */
  answerTimeoutMs?: number
  /**
   * Send `Expect: 100-continue` and hold the body until the server says go on. A refusal decided
   * from the headers alone (an expired URL) then arrives before any body byte is sent, so the
   * reset a server sends for an unread body can never overtake its answer. A server that ignores
   * the expectation gets the body anyway after `timeoutMs`.
   */
  expectContinue?: { timeoutMs: number }
  /** Answers longer than this are cut and flagged, never buffered whole. */
  maxResponseBytes: number
  signal?: AbortSignal
  /** Called as request body bytes are handed to the socket. */
  onBodyProgress?(sentBytes: number): void
}

export interface HttpResponse {
  status: number
  headers: http.IncomingHttpHeaders
  body: Buffer
  /** The answer was longer than maxResponseBytes; body holds its start. */
  truncated: boolean
}

/** Gives each origin a reusable, proxy-aware agent. */
export class AgentPool {
  private readonly client: HttpClient

  constructor(keepAlive: boolean) {
    this.client = new HttpClient(undefined, undefined, { keepAlive })
  }

  agentFor(url: URL): http.Agent {
    return this.client.getAgent(url.href)
  }

  dispose(): void {
    this.client.dispose()
  }
}

/** What the parts of one exchange share. */
interface Exchange {
  req: HttpRequest
  outgoing: http.ClientRequest
  /**
   * Aborting it ends the exchange: the request's own `signal` option destroys the request, and
   * the body's pipeline its stream. The reason is the failure to report, unless an answer came
   * first. Ours, not the caller's: the caller's signal is shared by every request of the run.
   */
  stop: AbortController
  /** Bytes moved: pushes the idle timer back. */
  progress(): void
  /** An answer began: from now on it is the news, whatever happens to the body being sent. */
  answered: boolean
  /** The whole body has been handed to the request (none counts). */
  bodySent: boolean
}

/**
 * Sends one request and reads its answer. Resolves with any answer, refusals included; rejects
 * with a TransportError when none came (or the caller's abort reason).
 */
export async function send(pool: AgentPool, req: HttpRequest): Promise<HttpResponse> {
  if (req.signal?.aborted) throw cancelReason(req.signal)
  const stop = new AbortController()
  const outgoing = openRequest(pool, req, stop.signal)
  const deadlines = startDeadlines(req, outgoing, stop)
  const x: Exchange = {
    req,
    outgoing,
    stop,
    progress: deadlines.progress,
    answered: false,
    bodySent: false
  }
  const onCancel = (): void => stop.abort(cancelReason(req.signal))
  req.signal?.addEventListener('abort', onCancel, { once: true })
  try {
    return await new Promise<HttpResponse>((resolve, reject) => {
      // Settled from here, not from the request's 'error': a request still waiting for its
      // socket (a proxy that never answers CONNECT) is destroyed without one.
      stop.signal.addEventListener('abort', () => reject(stop.signal.reason), { once: true })
      outgoing.on('error', (error: NodeJS.ErrnoException) => {
        // A server that refuses early (403 before the body is read) closes the socket under our
        // body; its answer, already in hand, is the news.
        if (!x.answered) stop.abort(networkError(error, req.url))
      })
      outgoing.once('response', incoming => readAnswer(x, incoming, resolve))
      startBody(x)
    })
  } finally {
    deadlines.clear()
    req.signal?.removeEventListener('abort', onCancel)
  }
}

function cancelReason(signal: AbortSignal | undefined): Error {
  const reason: unknown = signal?.reason
  return reason instanceof Error ? reason : new TransportError(t`request aborted`, 'EABORTED')
}

function openRequest(pool: AgentPool, req: HttpRequest, signal: AbortSignal): http.ClientRequest {
  const { url } = req
  const module = url.protocol === 'https:' ? https : http
  const headers = holdsBody(req) ? { ...req.headers, Expect: '100-continue' } : req.headers
  try {
    return module.request(url, { method: req.method, headers, agent: pool.agentFor(url), signal })
  } catch (error) {
    // node:http throws at once on a header it cannot send (say a pasted
    // non-ASCII character): no retry can fix that.
    throw new TransportError(t`the request could not be made: ${errorMessage(error)}`, 'EINVALID')
  }
}

function holdsBody(req: HttpRequest): boolean {
  return req.expectContinue !== undefined && req.body !== undefined
}

/**
 * The exchange's timers, each ending it with its own message: no progress for idleTimeoutMs
 * (armed now, so a connection that never opens is caught too), the whole exchange past
 * totalTimeoutMs, the answer not complete answerTimeoutMs after the body went out.
 */
function startDeadlines(
  req: HttpRequest,
  outgoing: http.ClientRequest,
  stop: AbortController
): { progress(): void; clear(): void } {
  const { method, url } = req
  const expire = (message: Inert) => (): void => {
    stop.abort(new TransportError(message, 'ETIMEDOUT'))
  }
  const idle = setTimeout(
    expire(t`no progress for ${formatSeconds(req.idleTimeoutMs)} on ${method} ${url.host}`),
    req.idleTimeoutMs
  )
  const timers = [idle]
  let cleared = false
  const after = (ms: number, message: Inert): void => {
    if (!cleared) timers.push(setTimeout(expire(message), ms))
  }
  const { totalTimeoutMs: total, answerTimeoutMs: answer } = req
  if (total !== undefined) {
    after(total, t`no answer within ${formatSeconds(total)} from ${method} ${url.host}`)
  }
  if (answer !== undefined) {
    // From the last body byte handed to the system, or from an answer that began before it:
    // bytes trickling in push back the idle timer, never this one.
    const arm = (): void => {
      outgoing.off('finish', arm).off('response', arm)
      after(answer, t`the answer from ${url.host} did not finish within ${formatSeconds(answer)}`)
    }
    outgoing.once('finish', arm).once('response', arm)
  }
  return {
    // A cleared timer stays cleared: refresh() does not bring it back.
    progress: () => idle.refresh(),
    clear: () => {
      cleared = true
      for (const timer of timers) clearTimeout(timer)
    }
  }
}

/**
 * Sends the body: at once, or (expectContinue) once the server says `100 Continue`, or when it
 * has not said so within the wait, as a server that ignores the expectation never will.
 */
function startBody(x: Exchange): void {
  const { expectContinue } = x.req
  if (!holdsBody(x.req) || expectContinue === undefined) {
    writeBody(x)
    return
  }
  x.outgoing.flushHeaders()
  const go = (): void => {
    clearTimeout(wait)
    x.outgoing.off('continue', go)
    writeBody(x)
  }
  const wait = setTimeout(go, expectContinue.timeoutMs)
  x.outgoing.once('continue', go)
  x.stop.signal.addEventListener('abort', () => clearTimeout(wait), { once: true })
}

/** Writes the body; a stream's bytes count as progress as the request takes them. */
function writeBody(x: Exchange): void {
  const { req, outgoing, stop } = x
  // Held for `100 Continue`, the body is not for an exchange that has its answer or has ended.
  if (x.answered || stop.signal.aborted) return
  if (req.body === undefined || Buffer.isBuffer(req.body)) {
    outgoing.end(req.body)
    x.bodySent = true
    return
  }
  const source = req.body()
  // Registered before the pipeline's own: a read error is told as one before the pipeline
  // passes it on to the request. Errors that come back from the request side find the answer
  // already in hand, or the exchange already ended by the request's own error.
  source.on('error', error => {
    if (x.answered) return
    // An ActionError has said what is wrong with the body, and no retry can change it.
    stop.abort(
      error instanceof ActionError
        ? error
        : new TransportError(t`could not read the upload body: ${error.message}`, 'EREAD')
    )
  })
  // Each side reports its own failure, above and in send(): the pipeline only moves the bytes
  // (pausing the file while the socket is full) and tears both down together.
  pipeline(source, outgoing, { signal: stop.signal }).catch(() => undefined)
  let sent = 0
  source.on('data', (chunk: Buffer) => {
    sent += chunk.length
    x.progress()
    req.onBodyProgress?.(sent)
  })
  source.once('end', () => (x.bodySent = true))
}

/** Reads the answer into memory up to maxResponseBytes; past it the rest is cut and flagged. */
function readAnswer(
  x: Exchange,
  incoming: http.IncomingMessage,
  resolve: (response: HttpResponse) => void
): void {
  x.answered = true
  x.progress()
  const { host } = x.req.url
  const status = incoming.statusCode ?? 0
  const chunks: Buffer[] = []
  let length = 0
  let truncated = false
  const done = (): void => {
    resolve({ status, headers: incoming.headers, body: Buffer.concat(chunks), truncated })
    // An early answer (say a 403 before the body was read) leaves the body unsent or half-sent:
    // stop it, the exchange is over.
    if (!x.bodySent) x.stop.abort()
  }
  incoming.on('data', (chunk: Buffer) => {
    x.progress()
    const room = x.req.maxResponseBytes - length
    if (chunk.length > room) {
      // Past the cap the rest is noise: stop reading rather than drain megabytes. Settled
      // first: destroying the stream ends it with an error, which must not win.
      chunks.push(chunk.subarray(0, room))
      truncated = true
      done()
      incoming.destroy()
      return
    }
    chunks.push(chunk)
    length += chunk.length
  })
  incoming.on('end', done)
  // Cut off mid-answer: a refusal's status still stands (its text may be partial); a success
  // that cannot be read in full is a transport failure.
  const cut = (code: string): void => {
    if (status >= 400) done()
    else
      x.stop.abort(
        new TransportError(t`connection to ${host} closed while reading the answer`, code)
      )
  }
  incoming.on('error', (error: NodeJS.ErrnoException) => cut(error.code ?? 'ECONNRESET'))
  incoming.on('aborted', () => cut('ECONNRESET'))
}

function networkError(error: NodeJS.ErrnoException, url: URL): TransportError {
  return new TransportError(describeNetworkError(error, url), error.code ?? 'ECONNRESET')
}

/** A network failure in plain words, naming the host: `connection to s3.amazonaws.com refused`. */
export function describeNetworkError(error: NodeJS.ErrnoException, url: URL): Inert {
  switch (error.code) {
    case 'ECONNREFUSED':
      return t`connection to ${url.host} refused`
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return t`could not resolve ${url.hostname}`
    case 'ECONNRESET':
    case 'EPIPE':
      return t`connection to ${url.host} was reset`
    default:
      return t`connection to ${url.host} failed (${error.code ?? error.message})`
  }
}

/** A response header's (first) value. */
export function headerValue(
  response: HttpResponse,
  name: 'retry-after' | 'content-type'
): string | undefined {
  const value = response.headers[name]
  return Array.isArray(value) ? value[0] : value
}
