import type { FileScan } from '../ndjson/file-scan.js'
import { MAX_SAMPLED_LINE_BYTES, readSampledUrls, sampleIndexes } from '../ndjson/sample.js'
import { FIRST_URL_LINES, URL_TABLE_BYTES, UrlChecks, type Found } from '../ndjson/url-checks.js'
import { PROBE_CONCURRENCY, probeUrls } from '../net/probe.js'
import { UrlCheckError } from '../shared/errors.js'
import {
  formatBytes,
  formatSeconds,
  readableDuration,
  readableTime,
  timeSpan
} from '../shared/format.js'
import { quote, t, type Inert } from '../shared/outside-text.js'
import { advice } from '../shared/advice.js'
import type { ItemUrlFacts, OperationContext, SampleFacts } from './context.js'
import { place } from './place.js'

/**
 * The checks of the items' URLs, in create and check, once the file's lines passed: what the
 * offline checks of the scan found (url-checks.ts), then the sample of url-sample, and with
 * url-problems: fail, the failure, before anything is created.
 */

/** The offline checks, to hand the scan: a signature must outlive now + url-min-lifetime. */
export function itemUrlChecks(ctx: OperationContext<'check' | 'create'>): UrlChecks {
  return new UrlChecks(ctx.clock.now() + ctx.inputs.urlMinLifetime.ms)
}

/** One kind of problem, as the log tells it. */
interface Kind {
  /** How many items, and what they have: `3 items repeat the url of an earlier item`. */
  found: Inert
  title: Inert
  /** The first lines, each with what it has, as its annotation says: `repeats the url of line 17`. */
  lines: Array<{ line: number; says: Inert }>
}

/**
 * Says what the checks found (outputs, a warning per kind naming its first line, annotations on
 * the first lines), requests the sample, and fails with url-problems: fail.
 */
export async function checkItemUrls(
  ctx: OperationContext<'check' | 'create'>,
  shown: string,
  scan: FileScan,
  checks: UrlChecks
): Promise<void> {
  const { inputs, log, report } = ctx
  const urls: ItemUrlFacts = { ...checks.finish(), minLifetime: inputs.urlMinLifetime.text }
  report.facts.urls = urls
  report.output('duplicate-urls', String(urls.duplicates.count))
  report.output('non-http-urls', String(urls.nonWeb.count))
  report.output('expiring-urls', String(urls.expiring.count))
  log.info(
    t`Checked the item URLs of ${shown}: ${urls.duplicates.count} repeated, ${urls.nonWeb.count} not http(s), ${urls.expiring.count} expiring within ${urls.minLifetime}.`
  )
  for (const kind of offlineKinds(urls, ctx.clock.now())) tell(ctx, shown, kind)
  if (urls.remembered !== undefined) {
    log.info(
      t`${shown} has more items than the check for repeated URLs holds in ${formatBytes(URL_TABLE_BYTES)}: it compared the first ${urls.remembered} items' URLs only.`
    )
  }
  if (inputs.urlSample > 0) {
    const sample = await sampleUrls(ctx, shown, scan)
    urls.sample = sample
    tell(ctx, shown, {
      found: t`${sample.unreachable} of ${sample.sampled} sampled item URLs ${sample.unreachable === 1 ? 'is' : 'are'} unreachable`,
      title: t`Unreachable item URL`,
      lines: sample.firstUnreachable.map(({ line, reason }) => ({
        line,
        says: t`has a url that is unreachable: ${reason}`
      }))
    })
  }
  report.output('urls-sampled', String(urls.sample?.sampled ?? 0))
  report.output('urls-unreachable', String(urls.sample?.unreachable ?? 0))
  if (inputs.urlProblems === 'fail') failOnProblems(ctx, shown, urls)
}

function offlineKinds(urls: ItemUrlFacts, now: number): Kind[] {
  const { duplicates, nonWeb, expiring } = urls
  return [
    {
      found: t`${duplicates.count} ${duplicates.count === 1 ? 'item repeats' : 'items repeat'} the url of an earlier item`,
      title: t`Repeated item URL`,
      lines: duplicates.first.map(({ line, earlier }) => ({
        line,
        says: t`repeats the url of line ${earlier}`
      }))
    },
    {
      found: t`${have(nonWeb)} a url that is not an http(s) URL with a host`,
      title: t`Item URL not http(s)`,
      lines: nonWeb.first.map(({ line, url, why }) => ({
        line,
        says: t`has a url that is not http(s), ${quote(url)}: ${why}`
      }))
    },
    {
      found: t`${have(expiring)} a signed url that expires within ${urls.minLifetime} (url-min-lifetime)`,
      title: t`Item URL expires too soon`,
      lines: expiring.first.map(({ line, scheme, expiresAt }) => {
        const span = timeSpan(expiresAt, now)
        const when = expiresAt > now ? `expires in ${span}` : `expired ${span} ago`
        return {
          line,
          says: t`has a url whose ${scheme} signature ${when} (${readableTime(expiresAt)})`
        }
      })
    }
  ]
}

/** `1 item has`, `3 items have`. */
function have(found: Found<unknown>): string {
  return found.count === 1 ? '1 item has' : `${found.count} items have`
}

/**
 * A kind found: a warning naming its first line, and an annotation on each of its first lines,
 * a warning too unless url-problems: fail makes them fail the step.
 */
function tell(ctx: OperationContext<'check' | 'create'>, shown: string, kind: Kind): void {
  const [first] = kind.lines
  if (first === undefined) return
  ctx.log.warning(t`${shown}: ${kind.found}. The first: line ${first.line} ${first.says}.`)
  const warning = ctx.inputs.urlProblems === 'warn'
  for (const { line, says } of kind.lines) {
    ctx.log.annotate(t`${place(shown, line)}${says}`, {
      title: kind.title,
      file: t`${shown}`,
      line,
      warning
    })
  }
}

/**
 * url-sample: that many items, picked at random but the same for the same file (the seed is its
 * CRC-32C), read again from the file and requested.
 */
async function sampleUrls(
  ctx: OperationContext<'check' | 'create'>,
  shown: string,
  scan: FileScan
): Promise<SampleFacts> {
  const { inputs, log, signal, clock, report } = ctx
  const started = clock.now()
  const seed = Buffer.from(scan.crc32c, 'base64').readUInt32BE(0)
  const chosen = sampleIndexes(scan.items, inputs.urlSample, seed)
  const { urls, longLines } = await readSampledUrls(scan, chosen, { signal, label: shown })
  if (longLines.length > 0) {
    log.info(
      t`Not requesting the url of ${longLines.length} sampled items whose line is longer than ${formatBytes(MAX_SAMPLED_LINE_BYTES)} (the first: line ${longLines[0]}).`
    )
  }
  log.info(
    t`Requesting ${urls.length} item URLs of ${shown} (url-sample: ${inputs.urlSample}), ${PROBE_CONCURRENCY} at a time, each within ${formatSeconds(inputs.requestTimeoutMs)}.`
  )
  const results = await probeUrls(urls, {
    timeoutMs: inputs.requestTimeoutMs,
    allowPrivate: inputs.urlAllowPrivate,
    signal,
    log
  })
  const unreachable = results.filter(result => !result.reachable)
  report.facts.durations.sample = clock.now() - started
  log.info(
    t`Requested ${results.length} item URLs: ${unreachable.length} unreachable (${readableDuration(report.facts.durations.sample)}).`
  )
  return {
    sampled: results.length,
    unreachable: unreachable.length,
    firstUnreachable: unreachable
      .slice(0, FIRST_URL_LINES)
      .map(({ line, reason }) => ({ line, reason }))
  }
}

/** url-problems: fail: any problem fails the step, naming how many of each kind. */
function failOnProblems(
  ctx: OperationContext<'check' | 'create'>,
  shown: string,
  urls: ItemUrlFacts
): void {
  const { duplicates, nonWeb, expiring, sample } = urls
  const counts = [
    duplicates.count > 0 ? `${duplicates.count} repeated` : '',
    nonWeb.count > 0 ? `${nonWeb.count} not http(s)` : '',
    expiring.count > 0 ? `${expiring.count} expiring within ${urls.minLifetime}` : '',
    sample && sample.unreachable > 0
      ? `${sample.unreachable} of ${sample.sampled} sampled unreachable`
      : ''
  ].filter(Boolean)
  if (counts.length === 0) return
  const end = ctx.inputs.operation === 'check' ? '' : ' Nothing was created.'
  throw new UrlCheckError(
    t`${shown} has item URL problems (url-problems: fail): ${counts.join(', ')}.${end}`,
    advice('urlProblems')
  )
}
