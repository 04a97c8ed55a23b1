/**
 * Small HTTP helpers shared by the API and the upload host: reading a body as it arrives
 * (with `100 Continue` and the mid-body cut), building replies, and recording what came in.
 */
import type { IncomingMessage, ServerResponse } from 'node:http'
import type { Reply, RequestContext, RecordedRequest, ServerName } from './types.js'

/**
 * Feeds the body to `onChunk` as it arrives. Resolves true when the whole body came,
 * false when the connection ended first (client gone, close(), or a mid-body fault).
 * The chunk callback runs synchronously, so the socket is read no faster than it is
 * processed: that is the backpressure, and nothing is buffered here.
 */
export function pumpBody(ctx: RequestContext, onChunk: (chunk: Buffer) => void): Promise<boolean> {
  const { req } = ctx
  // A delayed handler may start after the connection already died; its 'close' is gone.
  if (req.destroyed) return Promise.resolve(false)
  if (req.readableEnded) return Promise.resolve(!ctx.cut)
  // The 100 invites the body, so it goes only now that the body is wanted, and only when
  // there is one.
  if (hasBody(req)) ctx.sendContinue()
  return new Promise(resolve => {
    let settled = false
    const settle = (ok: boolean): void => {
      if (settled) return
      settled = true
      req.off('data', onData)
      resolve(ok && !ctx.cut)
    }
    const onData = (chunk: Buffer): void => {
      if (ctx.cut) return
      ctx.record.bodyBytes += chunk.length
      onChunk(chunk)
      if (ctx.cutAt !== undefined && ctx.record.bodyBytes >= ctx.cutAt) {
        ctx.cut = true
        req.socket.destroy()
        settle(false)
      }
    }
    req.on('data', onData)
    req.once('end', () => settle(true))
    // 'close' after 'end' is normal; before it, the body never completed.
    req.once('close', () => settle(false))
    req.once('error', () => settle(false))
  })
}

/** Reads and discards the body (counting it), for answers that ignore it. */
export function drainBody(ctx: RequestContext): Promise<boolean> {
  return pumpBody(ctx, () => undefined)
}

/** Whether the request announces a body at all (a GET without one has nothing to cut). */
export function hasBody(req: IncomingMessage): boolean {
  const length = req.headers['content-length']
  if (req.headers['transfer-encoding'] !== undefined) return true
  return length !== undefined && length !== '0'
}

export function jsonReply(
  status: number,
  value: unknown,
  headers: Record<string, string> = {}
): Reply {
  return {
    status,
    headers: { 'content-type': 'application/json; charset=utf-8', ...headers },
    body: JSON.stringify(value)
  }
}

export function apiError(status: number, message: string, headers?: Record<string, string>): Reply {
  return jsonReply(status, { message }, headers)
}

const XML_ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&apos;'
}

function xmlEscape(text: string): string {
  return text.replace(/[&<>"']/g, c => XML_ESCAPES[c] ?? c)
}

/** A Google Cloud Storage style XML error. */
export function storageError(
  status: number,
  code: string,
  message: string,
  details?: string
): Reply {
  const detailsXml = details === undefined ? '' : `<Details>${xmlEscape(details)}</Details>`
  return {
    status,
    headers: { 'content-type': 'application/xml; charset=UTF-8' },
    body:
      `<?xml version='1.0' encoding='UTF-8'?><Error><Code>${xmlEscape(code)}</Code>` +
      `<Message>${xmlEscape(message)}</Message>${detailsXml}</Error>`
  }
}

/** Sends the whole reply; `own` headers (the emulator's) win over the reply's. */
export function sendReply(
  res: ServerResponse,
  reply: Reply,
  own: Record<string, string> = {}
): void {
  if (res.destroyed || res.headersSent) return
  const body = Buffer.from(reply.body, 'utf8')
  setHeaders(res, reply.headers)
  setHeaders(res, { ...own, 'content-length': String(body.length) })
  res.writeHead(reply.status)
  res.end(body)
}

/** Sends the status and headers at once, for a body of no known end: Node frames it chunked. */
export function sendOpenEndedHead(
  res: ServerResponse,
  reply: Reply,
  own: Record<string, string> = {}
): void {
  // Left out rather than removed: a removed header tells Node not to frame the body at all.
  const framing = ['content-length', 'transfer-encoding']
  setHeaders(
    res,
    Object.fromEntries(
      Object.entries(reply.headers).filter(([name]) => !framing.includes(name.toLowerCase()))
    )
  )
  setHeaders(res, own)
  res.writeHead(reply.status)
  res.flushHeaders()
}

// One header at a time, because setHeader ignores case: a later spelling of a name
// replaces an earlier one instead of going out as a second header.
function setHeaders(res: ServerResponse, headers: Record<string, string>): void {
  for (const [name, value] of Object.entries(headers)) res.setHeader(name, value)
}

/** Splits `req.url` into the raw path and the query, without touching the encoding. */
export function splitUrl(url: string): { rawPath: string; search: string } {
  const q = url.indexOf('?')
  return q === -1
    ? { rawPath: url, search: '' }
    : { rawPath: url.slice(0, q), search: url.slice(q + 1) }
}

export function newRecord(server: ServerName, req: IncomingMessage): RecordedRequest {
  const { rawPath, search } = splitUrl(req.url ?? '/')
  let path = rawPath
  try {
    path = decodeURIComponent(rawPath)
  } catch {
    // A malformed escape stays as received; the routes will not match it.
  }
  const query: Record<string, string> = {}
  for (const [name, value] of new URLSearchParams(search)) {
    if (!(name in query)) query[name] = value
  }
  const headers: Record<string, string> = {}
  for (const [name, value] of Object.entries(req.headers)) {
    if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(', ') : value
  }
  return {
    server,
    time: Date.now(),
    method: req.method ?? '',
    rawPath,
    path,
    query,
    headers,
    bodyBytes: 0,
    answered: 0,
    continued: false
  }
}
