/**
 * The "upload host": a Google Cloud Storage look-alike that accepts a PUT to a signed URL.
 * Checks run in GCS's order (credentials, signature, method, expiry, signed headers,
 * precondition) before a byte of the body is used. The body is then streamed: CRC-32C
 * and the line count are computed chunk by chunk, and nothing is kept unless asked to.
 */
import CRC32C from 'crc-32/crc32c.js'
import { crc32cBase64 } from '../src/ndjson/crc32c.js'
import { pumpBody, splitUrl, storageError } from './http.js'
import { SIGNATURE_MISMATCH, type UrlSigner } from './signing.js'
import type { DatasetStore } from './store.js'
import type { Reply, RequestContext } from './types.js'

export interface UploadConfig {
  keepUploads: boolean
  now: () => number
}

export class UploadHandler {
  private generation = 0

  constructor(
    private readonly config: UploadConfig,
    private readonly signer: UrlSigner,
    private readonly store: DatasetStore
  ) {}

  /** The reply, or undefined when the body never arrived whole. */
  async handle(ctx: RequestContext): Promise<Reply | undefined> {
    const { req, record } = ctx
    const headers = req.headers
    if (headers['secret-key'] !== undefined) {
      return storageError(
        400,
        'UnexpectedCredential',
        'A Secret-Key header reached the storage host.',
        'The Nexus secret key must never be sent with a signed-URL upload.'
      )
    }

    const check = this.signer.checkUrl(record.rawPath, splitUrl(req.url ?? '/').search)
    if (!check.ok) return check.reply
    const { target, signedHeaders, expiresAt } = check
    if (record.method !== target.method) {
      return storageError(
        403,
        'SignatureDoesNotMatch',
        SIGNATURE_MISMATCH,
        `The URL was signed for ${target.method}, not ${record.method}.`
      )
    }
    if (this.config.now() >= expiresAt) {
      return storageError(
        400,
        'ExpiredToken',
        'Invalid argument.',
        `Request has expired: the signed URL expired at ${new Date(expiresAt).toISOString()}.`
      )
    }
    const headerProblem = checkHeaders(headers, signedHeaders, target.headers)
    if (headerProblem !== undefined) {
      return storageError(403, 'SignatureDoesNotMatch', SIGNATURE_MISMATCH, headerProblem)
    }
    const state = this.store.get(target.datasetId)
    if (state === undefined) return noSuchKey()
    if (state.object !== undefined) return preconditionFailed()

    const expectedSize = Number(target.headers['content-length'])
    const expectedHash = target.headers['x-goog-hash'] ?? ''
    const keep = this.config.keepUploads
    const chunks: Buffer[] = []
    const lines = new LineCounter()
    let crc = 0
    let size = 0
    this.store.beginUpload(state)
    const complete = await pumpBody(ctx, chunk => {
      crc = CRC32C.buf(chunk, crc)
      size += chunk.length
      lines.add(chunk)
      if (keep) chunks.push(chunk)
    })
    if (!complete || size !== expectedSize) {
      this.store.endUploadWithoutObject(state)
      return undefined
    }
    const actualHash = `crc32c=${crc32cBase64(crc)}`
    if (actualHash !== expectedHash) {
      this.store.endUploadWithoutObject(state)
      return storageError(
        400,
        'BadDigest',
        'The CRC32C you specified did not match what we computed.',
        `x-goog-hash was ${expectedHash}; the body has ${actualHash}.`
      )
    }
    // Deleted, or another upload of the same URL landed while this body was arriving:
    // GCS decides the precondition when the object is committed, not when the PUT starts.
    if (this.store.get(state.id) === undefined || state.object !== undefined) {
      this.store.endUploadWithoutObject(state)
      return state.object === undefined ? noSuchKey() : preconditionFailed()
    }
    this.store.storeObject(state, {
      size,
      lines: lines.finish(),
      ...(keep ? { bytes: Buffer.concat(chunks, size) } : {})
    })
    this.generation += 1
    const generation = String(this.config.now() * 1000 + (this.generation % 1000))
    return {
      status: 200,
      headers: {
        etag: `"${(crc >>> 0).toString(16).padStart(8, '0')}"`,
        'x-goog-generation': generation,
        'x-goog-metageneration': '1',
        'x-goog-hash': actualHash,
        'x-goog-stored-content-length': String(size)
      },
      body: ''
    }
  }
}

function noSuchKey(): Reply {
  return storageError(
    404,
    'NoSuchKey',
    'The specified key does not exist.',
    'The dataset was deleted.'
  )
}

function preconditionFailed(): Reply {
  return storageError(
    412,
    'PreconditionFailed',
    'At least one of the pre-conditions you specified did not hold.',
    'Condition failed: x-goog-if-generation-match: 0 (the object already exists).'
  )
}

/** Every signed header as signed, the body announced by length, no unsigned x-goog-*. */
function checkHeaders(
  actual: NodeJS.Dict<string | string[]>,
  signedNames: string[],
  signedValues: Record<string, string>
): string | undefined {
  if (actual['transfer-encoding'] !== undefined) {
    return `Transfer-Encoding ${String(actual['transfer-encoding'])} is not allowed: send the signed content-length.`
  }
  for (const name of signedNames) {
    const value = actual[name]
    if (value === undefined) return `The signed header ${name} is missing.`
    const text = Array.isArray(value) ? value.join(', ') : value
    if (text !== signedValues[name]) {
      return `The header ${name} is "${text}", not the signed value "${signedValues[name] ?? ''}".`
    }
  }
  for (const name of Object.keys(actual)) {
    if (name.startsWith('x-goog-') && !signedNames.includes(name)) {
      return `The header ${name} is not signed.`
    }
  }
  return undefined
}

const SPACE = 0x20
const TAB = 0x09
const CR = 0x0d
const VT = 0x0b
const FF = 0x0c
const LF = 0x0a

/**
 * Counts lines holding anything but ASCII white space, across chunk boundaries. Jumps from
 * newline to newline with indexOf and stops at the first non-blank byte of a line, so an
 * NDJSON line (starting with `{`) costs one native search, not a byte loop.
 */
class LineCounter {
  private count = 0
  private current = false

  add(chunk: Buffer): void {
    let start = 0
    for (;;) {
      const nl = chunk.indexOf(LF, start)
      const end = nl === -1 ? chunk.length : nl
      if (!this.current) this.current = hasContent(chunk, start, end)
      if (nl === -1) return
      if (this.current) this.count += 1
      this.current = false
      start = nl + 1
    }
  }

  finish(): number {
    return this.count + (this.current ? 1 : 0)
  }
}

function hasContent(buf: Buffer, start: number, end: number): boolean {
  for (let i = start; i < end; i++) {
    const b = buf[i]
    if (b !== SPACE && b !== TAB && b !== CR && b !== VT && b !== FF) return true
  }
  return false
}
