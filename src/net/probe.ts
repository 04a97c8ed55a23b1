/**
 * Whether the items' URLs answer (url-sample): each is requested the way a fetcher would reach
 * it, without any credential, and refused when it leads into the runner's own network.
 *
 * - `HEAD` first; on 403, 405 or 501 (stores that sign the method, or do not serve HEAD) a `GET`
 *   of the first byte (`Range: bytes=0-0`), from the item's URL again. Only the status is read:
 *   the answer is destroyed once its headers are in, so no body is downloaded.
 * - At most MAX_REDIRECTS redirects, each `Location` read against the URL that sent it, http and
 *   https only, and every hop checked again.
 * - Each item, all its requests and redirects together, gets `timeoutMs`.
 * - The headers sent are User-Agent (and the Range of the GET), nothing else: no cookie, no
 *   `Authorization`, never the secret key. A `user:password@` in a URL is dropped, not sent (Node
 *   would turn it into an `Authorization: Basic` header).
 * - Address policy (address-policy.ts), unless allowPrivate: a direct connection resolves the host
 *   through a `lookup` of ours that checks every address and hands the socket only an allowed
 *   one, so what is checked is what is connected to, on every hop (DNS cannot change its answer
 *   in between). An IP literal, which Node connects to without a lookup, is checked as it is.
 * - Proxies as the rest of the action: @actions/http-client's agents (`https_proxy`, `http_proxy`,
 *   `no_proxy`; loopback is never proxied). Through a proxy the proxy resolves the host, so the
 *   check is weaker: IP literals are checked as they are, and a name is resolved here too and
 *   refused when all its addresses are; a name this runner cannot resolve is left to the proxy
 *   (behind a proxy the runner often resolves nothing outside), and the proxy's own answer can
 *   still differ from ours.
 */
import { promises as dns, type LookupAddress, type LookupOptions } from 'node:dns'
import * as http from 'node:http'
import * as https from 'node:https'
import { getProxyUrl } from '@actions/http-client'
import { forEachLimited } from '../shared/concurrency.js'
import { formatSeconds } from '../shared/format.js'
import type { Logger } from '../shared/logger.js'
import { t, type Inert } from '../shared/outside-text.js'
import { ACTION_NAME, ACTION_VERSION } from '../shared/version.js'
import { blockedAddressKind, literalAddress } from './address-policy.js'
import { AgentPool, describeNetworkError } from './http.js'

export const PROBE_CONCURRENCY = 8
export const MAX_REDIRECTS = 5

const REDIRECTS = new Set([301, 302, 303, 307, 308])
/** HEAD answers after which a GET of one byte tells more. */
const TRY_GET = new Set([403, 405, 501])
const USER_AGENT = `${ACTION_NAME}/${ACTION_VERSION} (url check)`
const ALLOW_PRIVATE = 'set url-allow-private: true for self-hosted storage'

export type Method = 'HEAD' | 'GET'

export interface ProbeItem {
  /** 1-based line of the item in the file. */
  line: number
  url: string
}

export interface ProbeResult extends ProbeItem {
  reachable: boolean
  /** The last answer's status, when one came. */
  status?: number
  /** The last method sent; absent when nothing was sent (a refused address, not http). */
  method?: Method
  /** A plain cause, as an annotation says it: `404: the object is missing`. */
  reason: Inert
}

/** Every address a host name resolves to, as dns.lookup with `all` gives them. */
export type Resolve = (hostname: string) => Promise<LookupAddress[]>

export interface ProbeOptions {
  /** For each item, all its requests together. */
  timeoutMs: number
  /** url-allow-private: connect to any address. */
  allowPrivate: boolean
  /** Aborting stops every request at once; probeUrls then rejects with the signal's reason. */
  signal: AbortSignal
  log: Logger
  /** Requests in flight at most; PROBE_CONCURRENCY by default. */
  concurrency?: number
  /** How host names are resolved; the system's resolver by default (tests give their own). */
  lookup?: Resolve
}

/** The items' results, in the items' order. */
export async function probeUrls(
  items: readonly ProbeItem[],
  options: ProbeOptions
): Promise<ProbeResult[]> {
  const { signal } = options
  signal.throwIfAborted()
  const prober = new Prober(options)
  const results: ProbeResult[] = []
  try {
    await forEachLimited(
      items.map((item, index) => ({ item, index })),
      options.concurrency ?? PROBE_CONCURRENCY,
      signal,
      async ({ item, index }) => {
        try {
          results[index] = await prober.probe(item)
        } catch (error) {
          // Only a cancel ends a probe without a result: the whole call rejects below.
          if (!signal.aborted) throw error
        }
      }
    )
  } finally {
    prober.dispose()
  }
  signal.throwIfAborted()
  return results
}

/** A redirect or an answer; or why nothing came. */
type Exchange = { status: number; location?: string } | { failure: Inert }

type Outcome = Omit<ProbeResult, 'line' | 'url'>

/** A lookup refused every address of a host: the error the socket fails with. */
class BlockedAddressError extends Error {
  constructor(readonly reason: Inert) {
    super(reason)
  }
}

/** The per-item timeout: the reason the item's requests are aborted with. */
class ProbeTimeout extends Error {}

class Prober {
  private readonly pools = { 'http:': new AgentPool(false), 'https:': new AgentPool(false) }
  private readonly resolve: Resolve

  constructor(private readonly options: ProbeOptions) {
    this.resolve =
      options.lookup ?? (hostname => dns.lookup(hostname, { all: true, order: 'verbatim' }))
  }

  dispose(): void {
    for (const pool of Object.values(this.pools)) pool.dispose()
  }

  async probe(item: ProbeItem): Promise<ProbeResult> {
    const { timeoutMs, signal, log } = this.options
    const controller = new AbortController()
    const onAbort = (): void => controller.abort(signal.reason)
    signal.addEventListener('abort', onAbort, { once: true })
    const timer = setTimeout(() => controller.abort(new ProbeTimeout()), timeoutMs)
    const sent: { method?: Method } = {}
    try {
      const outcome = await this.probeUrl(item.url, controller.signal, sent)
      log.debug(t`URL check, line ${item.line}: ${outcome.reason}`)
      return { ...item, ...outcome }
    } catch (error) {
      if (!(controller.signal.reason instanceof ProbeTimeout)) throw error
      const reason = t`no answer within ${formatSeconds(timeoutMs)}`
      log.debug(t`URL check, line ${item.line}: ${reason}`)
      return { ...item, reachable: false, ...sent, reason }
    } finally {
      clearTimeout(timer)
      signal.removeEventListener('abort', onAbort)
    }
  }

  private async probeUrl(
    text: string,
    signal: AbortSignal,
    sent: { method?: Method }
  ): Promise<Outcome> {
    let start: URL
    try {
      start = new URL(text)
    } catch {
      return { reachable: false, reason: t`not a valid URL, so it was not requested` }
    }
    if (start.protocol !== 'http:' && start.protocol !== 'https:') {
      return {
        reachable: false,
        reason: t`not an http or https URL (${start.protocol}), so it was not requested`
      }
    }
    const head = await this.follow('HEAD', start, signal, sent)
    if (head.status === undefined || !TRY_GET.has(head.status)) return head
    return this.follow('GET', start, signal, sent)
  }

  /** One method from `start` through its redirects. */
  private async follow(
    method: Method,
    start: URL,
    signal: AbortSignal,
    sent: { method?: Method }
  ): Promise<Outcome> {
    let url = start
    for (let hop = 0; ; hop++) {
      const via = hop === 0 ? '' : t`redirect ${hop} to ${url.host}: `
      const refused = await this.refusal(url, signal)
      if (refused !== undefined) return { reachable: false, ...sent, reason: t`${via}${refused}` }
      sent.method = method
      const answer = await this.exchange(method, url, signal)
      if ('failure' in answer) {
        return { reachable: false, method, reason: t`${via}${answer.failure}` }
      }
      const { status, location } = answer
      if (!REDIRECTS.has(status) || location === undefined) {
        return { reachable: status < 400, status, method, reason: t`${via}${statusCause(status)}` }
      }
      if (hop === MAX_REDIRECTS) {
        return { reachable: false, status, method, reason: t`more than ${MAX_REDIRECTS} redirects` }
      }
      let next: URL
      try {
        next = new URL(location, url)
      } catch {
        return { reachable: false, status, method, reason: t`${status}: a redirect to a bad URL` }
      }
      if (next.protocol !== 'http:' && next.protocol !== 'https:') {
        return {
          reachable: false,
          status,
          method,
          reason: t`${status}: a redirect to a ${next.protocol} URL, not http or https`
        }
      }
      url = next
    }
  }

  /**
   * Why `url` must not be requested, known before connecting: an IP literal of a refused kind,
   * or, through a proxy, a host that resolves only to refused addresses. Direct connections to a
   * name are checked as they connect, by `lookup`.
   */
  private async refusal(url: URL, signal: AbortSignal): Promise<Inert | undefined> {
    if (this.options.allowPrivate) return undefined
    const literal = literalAddress(url.hostname)
    if (literal !== undefined) {
      const kind = blockedAddressKind(literal)
      // The host as the URL writes it: an IPv6 one in brackets.
      return kind === undefined
        ? undefined
        : t`${url.hostname} is ${kind} address; ${ALLOW_PRIVATE}`
    }
    if (!proxied(url)) return undefined
    let addresses: LookupAddress[]
    try {
      addresses = await untilAborted(this.resolve(url.hostname), signal)
    } catch (error) {
      if (signal.aborted) throw error
      return undefined
    }
    const blocked = this.blocked(url.hostname, addresses)
    return blocked.length === addresses.length && blocked.length > 0 ? blocked[0].reason : undefined
  }

  /** The addresses of `hostname` that must not be connected to, each with why. */
  private blocked(
    hostname: string,
    addresses: readonly LookupAddress[]
  ): Array<{ address: LookupAddress; reason: Inert }> {
    if (this.options.allowPrivate) return []
    return addresses.flatMap(address => {
      const kind = blockedAddressKind(address.address)
      return kind === undefined
        ? []
        : [
            {
              address,
              reason: t`${hostname} resolves to ${kind} address (${address.address}); ${ALLOW_PRIVATE}`
            }
          ]
    })
  }

  /**
   * Resolves for the socket of a direct connection, and hands it only allowed addresses: what is
   * checked is what is connected to. Node calls it with `all` (trying each address in turn) or
   * without (one address).
   */
  private readonly lookup = (
    hostname: string,
    options: LookupOptions,
    callback: (
      error: NodeJS.ErrnoException | null,
      address: string | LookupAddress[],
      family?: number
    ) => void
  ): void => {
    const family = options.family === 'IPv4' ? 4 : options.family === 'IPv6' ? 6 : options.family
    this.resolve(hostname).then(
      found => {
        const candidates = family ? found.filter(a => a.family === family) : found
        const blocked = this.blocked(hostname, candidates)
        const allowed = candidates.filter(a => !blocked.some(b => b.address === a))
        if (allowed.length > 0) {
          if (options.all) callback(null, allowed)
          else callback(null, allowed[0].address, allowed[0].family)
        } else if (blocked.length > 0) {
          callback(new BlockedAddressError(blocked[0].reason), '')
        } else {
          callback(
            Object.assign(new Error(`no address for ${hostname}`), { code: 'ENOTFOUND' }),
            ''
          )
        }
      },
      (error: NodeJS.ErrnoException) => callback(error, '')
    )
  }

  /** One request; its answer's status and Location, the answer itself left unread. */
  private exchange(method: Method, url: URL, signal: AbortSignal): Promise<Exchange> {
    return new Promise((resolve, reject) => {
      // Never sent: Node would make `user:password@` an Authorization header.
      const target = new URL(url.href)
      target.username = ''
      target.password = ''
      const request = (url.protocol === 'https:' ? https : http).request(target, {
        method,
        headers: { 'User-Agent': USER_AGENT, ...(method === 'GET' ? { Range: 'bytes=0-0' } : {}) },
        agent: this.pools[url.protocol as 'http:' | 'https:'].agentFor(url),
        ...(proxied(url) ? {} : { lookup: this.lookup })
      })
      let settled = false
      const settle = (): boolean => {
        if (settled) return false
        settled = true
        signal.removeEventListener('abort', onAbort)
        return true
      }
      const onAbort = (): void => {
        if (settle()) reject(signal.reason)
        request.destroy()
      }
      request.on('response', response => {
        if (settle()) {
          const { location } = response.headers
          resolve({ status: response.statusCode ?? 0, ...(location ? { location } : {}) })
        }
        response.destroy()
        request.destroy()
      })
      request.on('error', (error: NodeJS.ErrnoException) => {
        if (!settle()) return
        if (signal.aborted) reject(signal.reason)
        else if (error instanceof BlockedAddressError) resolve({ failure: error.reason })
        else resolve({ failure: describeNetworkError(error, url) })
      })
      if (signal.aborted) onAbort()
      else signal.addEventListener('abort', onAbort, { once: true })
      request.end()
    })
  }
}

/** Whether @actions/http-client sends requests for `url` through a proxy. */
function proxied(url: URL): boolean {
  return getProxyUrl(url.href) !== ''
}

/** `promise`, or the signal's reason as soon as it aborts (a DNS lookup cannot be cancelled). */
function untilAborted<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  return new Promise((resolve, reject) => {
    const onAbort = (): void => reject(signal.reason)
    if (signal.aborted) onAbort()
    signal.addEventListener('abort', onAbort, { once: true })
    const done = (): void => signal.removeEventListener('abort', onAbort)
    promise.then(
      value => {
        done()
        resolve(value)
      },
      (error: unknown) => {
        done()
        reject(error)
      }
    )
  })
}

/** What an answer's status means for an item, in plain words. */
export function statusCause(status: number): Inert {
  if (status < 400) return t`${status}: reachable`
  switch (status) {
    case 400:
      return t`400: a bad request; for a signed URL, often a malformed or expired signature`
    case 401:
      return t`401: a private object (the storage asks for credentials)`
    case 403:
      return t`403: a private object, or a bad or expired signature`
    case 404:
      return t`404: the object is missing`
    case 410:
      return t`410: the object was removed`
    case 416:
      return t`416: the object is empty (0 bytes)`
    case 429:
      return t`429: the storage is limiting requests; try again later`
  }
  if (status >= 500) return t`${status}: the storage failed (a server error)`
  return t`${status}: the storage refused the request`
}
