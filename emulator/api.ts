/**
 * The Nexus batch-datasets API routes. Strict on purpose: whatever the real service is
 * documented to refuse is refused here with the same status, so a passing e2e test
 * means the action speaks the contract, not just whatever this emulator tolerates.
 */
import { timingSafeEqual } from 'node:crypto'
import type { IncomingMessage } from 'node:http'
import { apiError, jsonReply, pumpBody, splitUrl } from './http.js'
import { SOURCE_KIND, type DatasetStore } from './store.js'
import type { Reply, RequestContext } from './types.js'

const MAX_BODY_BYTES = 1024 * 1024
const MAX_NAME_CHARS = 256
const DEFAULT_LIMIT = 100
const MAX_LIMIT = 1000
// C0, DEL and C1 control characters.
// eslint-disable-next-line no-control-regex
const CONTROL_CHARS = /[\u0000-\u001f\u007f-\u009f]/
const DATASET_ID = /^dataset_[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/

export interface ApiConfig {
  secretKey: string
  projectId: string
}

interface CreateRequest {
  name: string
  sizeBytes: number
  crc32c: string
}

export class ApiHandler {
  constructor(
    private readonly config: ApiConfig,
    private readonly store: DatasetStore
  ) {}

  /** The reply, or undefined when the request body never arrived whole. */
  async handle(ctx: RequestContext): Promise<Reply | undefined> {
    const { req, record } = ctx
    // Read the body first (it is small) so that every request is recorded whole.
    const body = await readBody(ctx)
    if (body === undefined) return undefined
    if (body.json !== undefined) record.json = body.json.value

    if (!this.keyMatches(req.headers['secret-key'])) {
      return apiError(403, 'Forbidden: missing or invalid Secret-Key header')
    }
    const segments = record.rawPath.split('/').map(decodeSegment)
    if (segments[0] !== '' || segments[1] !== 'projects' || segments.length < 3) {
      return notFound(record.method, record.rawPath)
    }
    if (segments[2] !== this.config.projectId) {
      return apiError(403, `Forbidden: this secret key has no access to project ${segments[2]}`)
    }
    const rest = segments.slice(3)
    const isCollection = rest.length === 2 && rest[0] === 'batch' && rest[1] === 'datasets'
    const isItem = rest.length === 3 && rest[0] === 'batch' && rest[1] === 'datasets'
    if (!isCollection && !isItem) return notFound(record.method, record.rawPath)

    const method = record.method
    const allowed = isCollection ? ['GET', 'POST'] : ['GET', 'DELETE']
    if (!allowed.includes(method)) {
      return apiError(405, `Method ${method} is not allowed on ${record.rawPath}`, {
        allow: allowed.join(', ')
      })
    }
    const query = new URLSearchParams(splitUrl(req.url ?? '/').search)
    const known = method === 'GET' && isCollection ? ['limit', 'page'] : []
    const queryProblem = checkQuery(query, known)
    if (queryProblem !== undefined) return apiError(400, queryProblem)

    if (isCollection) return method === 'POST' ? this.create(req, body) : this.list(query)
    const id = rest[2] ?? ''
    const state = DATASET_ID.test(id) ? this.store.get(id) : undefined
    if (state === undefined) return apiError(404, `Dataset not found: ${id}`)
    if (method === 'DELETE') {
      this.store.delete(id)
      return jsonReply(200, { id, deleted: true })
    }
    return jsonReply(200, this.store.wire(state))
  }

  private create(req: IncomingMessage, body: Body): Reply {
    if (body.tooLarge) return apiError(413, 'Request body is too large')
    const type = req.headers['content-type']
    if (type === undefined || !isJsonType(type)) {
      return apiError(415, 'Unsupported Media Type: Content-Type must be application/json')
    }
    if (body.empty) return apiError(400, 'Invalid request body: a JSON body is required')
    if (body.json === undefined) return apiError(400, 'Invalid request body: not valid JSON')
    const parsed = parseCreate(body.json.value)
    if (typeof parsed === 'string') return apiError(400, `Invalid request body: ${parsed}`)
    const state = this.store.create(parsed.name, parsed.sizeBytes, parsed.crc32c)
    return jsonReply(201, this.store.wire(state))
  }

  private list(query: URLSearchParams): Reply {
    let limit = DEFAULT_LIMIT
    const limitText = query.get('limit')
    if (limitText !== null) {
      if (!/^[1-9]\d{0,3}$/.test(limitText) || Number(limitText) > MAX_LIMIT) {
        return apiError(400, `Invalid query: "limit" must be an integer from 1 to ${MAX_LIMIT}`)
      }
      limit = Number(limitText)
    }
    const page = this.store.list(limit, query.get('page') ?? undefined)
    if (page === undefined) {
      return apiError(400, 'Invalid query: "page" is not a page cursor issued by this API')
    }
    return jsonReply(200, page)
  }

  private keyMatches(given: string | string[] | undefined): boolean {
    if (typeof given !== 'string') return false
    const a = Buffer.from(given, 'utf8')
    const b = Buffer.from(this.config.secretKey, 'utf8')
    return a.length === b.length && timingSafeEqual(a, b)
  }
}

interface Body {
  empty: boolean
  tooLarge: boolean
  /** Present when the body parsed as JSON (boxed: `null` is valid JSON). */
  json?: { value: unknown }
}

/** The whole body, or undefined when the connection ended first. */
async function readBody(ctx: RequestContext): Promise<Body | undefined> {
  const chunks: Buffer[] = []
  let size = 0
  const complete = await pumpBody(ctx, chunk => {
    // Past the limit only count: an oversized body is answered 413, not buffered.
    if (size + chunk.length <= MAX_BODY_BYTES) chunks.push(chunk)
    size += chunk.length
  })
  if (!complete) return undefined
  const body: Body = { empty: size === 0, tooLarge: size > MAX_BODY_BYTES }
  if (!body.empty && !body.tooLarge) {
    try {
      body.json = { value: JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown }
    } catch {
      // Not JSON: the create route says so; the others ignore bodies.
    }
  }
  return body
}

function notFound(method: string, rawPath: string): Reply {
  return apiError(404, `Not Found: no route for ${method} ${rawPath}`)
}

function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment)
  } catch {
    // Not a valid escape: can match no route or id, which is what we want.
    return `\u0000${segment}`
  }
}

function checkQuery(query: URLSearchParams, known: string[]): string | undefined {
  const seen = new Set<string>()
  for (const [name] of query) {
    if (!known.includes(name)) return `Invalid query: unknown parameter "${name}"`
    if (seen.has(name)) return `Invalid query: "${name}" is given more than once`
    seen.add(name)
  }
  return undefined
}

function isJsonType(contentType: string): boolean {
  return contentType.split(';')[0]?.trim().toLowerCase() === 'application/json'
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/** Exactly the documented fields; anything missing, extra or mistyped is named. */
function unexpectedField(
  value: Record<string, unknown>,
  path: string,
  known: string[]
): string | undefined {
  for (const field of Object.keys(value)) {
    if (!known.includes(field)) return `unknown field "${path}${field}"`
  }
  for (const field of known) {
    if (!(field in value)) return `"${path}${field}" is required`
  }
  return undefined
}

function parseCreate(body: unknown): CreateRequest | string {
  if (!isObject(body)) return 'the body must be a JSON object'
  const top = unexpectedField(body, '', ['name', 'spec'])
  if (top !== undefined) return top
  const { name, spec } = body
  if (typeof name !== 'string' || name.trim().length === 0) {
    return '"name" must be a non-empty string'
  }
  if ([...name].length > MAX_NAME_CHARS) {
    return `"name" must be at most ${MAX_NAME_CHARS} characters`
  }
  if (CONTROL_CHARS.test(name)) return '"name" must not contain control characters'
  if (!isObject(spec)) return '"spec" must be an object'
  const specProblem = unexpectedField(spec, 'spec.', ['source'])
  if (specProblem !== undefined) return specProblem
  const source = spec.source
  if (!isObject(source)) return '"spec.source" must be an object'
  const sourceProblem = unexpectedField(source, 'spec.source.', ['kind', 'sizeBytes', 'crc32c'])
  if (sourceProblem !== undefined) return sourceProblem
  if (source.kind !== SOURCE_KIND) return `"spec.source.kind" must be "${SOURCE_KIND}"`
  const size = source.sizeBytes
  if (typeof size !== 'number' || !Number.isSafeInteger(size) || size <= 0) {
    return '"spec.source.sizeBytes" must be a positive integer'
  }
  if (!isCrc32cBase64(source.crc32c)) {
    return '"spec.source.crc32c" must be the base64 of the 4 big-endian bytes of the CRC-32C'
  }
  return { name, sizeBytes: size, crc32c: source.crc32c }
}

function isCrc32cBase64(value: unknown): value is string {
  if (typeof value !== 'string' || !/^[A-Za-z0-9+/]{6}==$/.test(value)) return false
  // Canonical only: the unused low bits of the last character must be zero.
  return Buffer.from(value, 'base64').toString('base64') === value
}
