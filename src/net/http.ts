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
import { HttpClient } from '@actions/http-client'
import { ActionError, TransportError } from '../shared/errors.js'
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

export function send(pool: AgentPool, req: HttpRequest): Promise<HttpResponse> {
  return new Promise((resolve, reject) => {
    const { url } = req
    const module = url.protocol === 'https:' ? https : http
    let settled = false
    let idleTimer: NodeJS.Timeout | undefined
    let totalTimer: NodeJS.Timeout | undefined
    let answerTimer: NodeJS.Timeout | undefined
    let continueTimer: NodeJS.Timeout | undefined
    let source: Readable | undefined
    let bodyStarted = false

    const finish = (error: Error | undefined, response?: HttpResponse): void => {
      if (settled) return
      settled = true
      for (const timer of [idleTimer, totalTimer, answerTimer, continueTimer]) clearTimeout(timer)
      req.signal?.removeEventListener('abort', onAbort)
      if (error) {
        source?.destroy()
        outgoing?.destroy()
        reject(error)
      } else if (response) {
        resolve(response)
      }
    }
    const armIdle = (): void => {
      clearTimeout(idleTimer)
      idleTimer = setTimeout(() => {
        finish(
          new TransportError(
            t`no progress for ${formatSeconds(req.idleTimeoutMs)} on ${req.method} ${url.host}`,
            'ETIMEDOUT'
          )
        )
      }, req.idleTimeoutMs)
    }
    const onAbort = (): void => {
      const reason = req.signal?.reason
      finish(reason instanceof Error ? reason : new TransportError(t`request aborted`, 'EABORTED'))
    }

    let outgoing: http.ClientRequest
    const holdBody = req.expectContinue !== undefined && req.body !== undefined
    try {
      outgoing = module.request(url, {
        method: req.method,
        headers: holdBody ? { ...req.headers, Expect: '100-continue' } : req.headers,
        agent: pool.agentFor(url)
      })
    } catch (error) {
      // node:http throws at once on a header it cannot send (say a pasted
      // non-ASCII character): no retry can fix that.
      reject(
        new TransportError(
          t`the request could not be made: ${(error as Error).message}`,
          'EINVALID'
        )
      )
      return
    }
    let answered = false
    outgoing.on('error', (error: NodeJS.ErrnoException) => {
      // A server that refuses early (403 before the body is read) closes the
      // socket under our body stream; its answer, already in hand, is the news.
      if (answered) return
      finish(new TransportError(describeNetworkError(error, url), error.code ?? 'ECONNRESET'))
    })
    outgoing.on('response', incoming => {
      answered = true
      armIdle()
      const chunks: Buffer[] = []
      let length = 0
      let truncated = false
      const done = (): void => {
        // An early answer (say a 403 before the body was read) leaves the body
        // unsent or half-sent: stop it, the exchange is over.
        if (!bodyStarted || (source && !source.readableEnded)) {
          source?.destroy()
          outgoing.destroy()
        }
        finish(undefined, {
          status: incoming.statusCode ?? 0,
          headers: incoming.headers,
          body: Buffer.concat(chunks),
          truncated
        })
      }
      incoming.on('data', (chunk: Buffer) => {
        armIdle()
        const room = req.maxResponseBytes - length
        if (chunk.length > room) {
          // Past the cap the rest is noise: stop reading rather than drain megabytes.
          chunks.push(chunk.subarray(0, room))
          truncated = true
          // Settle first: destroying the stream emits its own error, which must not win.
          done()
          incoming.destroy()
          return
        }
        chunks.push(chunk)
        length += chunk.length
      })
      incoming.on('end', done)
      // Cut off mid-answer: a refusal's status still stands (its text may be
      // partial); a success that cannot be read in full is a transport failure.
      const cut = (code: string): void => {
        if ((incoming.statusCode ?? 0) >= 400) {
          done()
          return
        }
        finish(
          new TransportError(t`connection to ${url.host} closed while reading the answer`, code)
        )
      }
      incoming.on('error', (error: NodeJS.ErrnoException) => cut(error.code ?? 'ECONNRESET'))
      incoming.on('aborted', () => cut('ECONNRESET'))
    })

    if (req.signal?.aborted) {
      onAbort()
      return
    }
    req.signal?.addEventListener('abort', onAbort, { once: true })
    armIdle()
    if (req.totalTimeoutMs !== undefined) {
      totalTimer = setTimeout(() => {
        finish(
          new TransportError(
            t`no answer within ${formatSeconds(req.totalTimeoutMs ?? 0)} from ${req.method} ${url.host}`,
            'ETIMEDOUT'
          )
        )
      }, req.totalTimeoutMs)
    }
    const { answerTimeoutMs } = req
    if (answerTimeoutMs !== undefined) {
      // From the last body byte handed to the system ('finish'), or from an answer that began
      // before it: bytes trickling in reset the idle timer, never this one.
      const armAnswer = (): void => {
        if (settled || answerTimer !== undefined) return
        answerTimer = setTimeout(() => {
          finish(
            new TransportError(
              t`the answer from ${url.host} did not finish within ${formatSeconds(answerTimeoutMs)}`,
              'ETIMEDOUT'
            )
          )
        }, answerTimeoutMs)
      }
      outgoing.on('finish', armAnswer)
      outgoing.on('response', armAnswer)
    }

    const sendBody = (): void => {
      if (settled || bodyStarted) return
      bodyStarted = true
      clearTimeout(continueTimer)
      if (req.body === undefined) {
        outgoing.end()
      } else if (Buffer.isBuffer(req.body)) {
        outgoing.end(req.body)
      } else {
        source = req.body()
        let sent = 0
        source.on('data', (chunk: Buffer) => {
          sent += chunk.length
          armIdle()
          req.onBodyProgress?.(sent)
        })
        source.on('error', error => {
          // An ActionError has said what is wrong with the body, and no retry can change it.
          finish(
            error instanceof ActionError
              ? error
              : new TransportError(t`could not read the upload body: ${error.message}`, 'EREAD')
          )
        })
        source.pipe(outgoing)
      }
    }
    if (holdBody && req.expectContinue) {
      outgoing.flushHeaders()
      outgoing.once('continue', sendBody)
      continueTimer = setTimeout(sendBody, req.expectContinue.timeoutMs)
    } else {
      sendBody()
    }
  })
}

function describeNetworkError(error: NodeJS.ErrnoException, url: URL): Inert {
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
