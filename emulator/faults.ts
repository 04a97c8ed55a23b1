/**
 * The fault book: which injected fault, if any, applies to an incoming request.
 *
 * Counting, so that rules compose the way a test reads them:
 * - every rule that matches a request (server, method, path) and still has `times` left
 *   sees it; while the rule is still skipping, seeing it uses up one `skip`;
 * - the first such rule (in the order added) that is done skipping applies, and only
 *   that rule uses up one of its `times`; later rules stay as they were.
 * So `{skip: 1, ...}` hits the second matching request, and two rules without `skip`
 * hit the first and the second request in turn.
 */
import type { FaultAnswer, FaultRule, RecordedRequest, ServerName } from './types.js'

/** A rule as added, with its counters. */
export class Fault {
  /** The rule's canned answer for a request, if it has one. */
  readonly respond: ((request: RecordedRequest) => FaultAnswer) | undefined
  /** Requests answered through `respond`: a scripted answer's `n`. */
  private answered = 0

  constructor(
    readonly rule: FaultRule,
    public skipLeft: number,
    public timesLeft: number
  ) {
    const { respond } = rule
    this.respond =
      respond === undefined
        ? undefined
        : request => {
            const answer = typeof respond === 'function' ? respond(request, this.answered) : respond
            // A script's answer is only seen now; a bad one becomes the emulator's own 500.
            checkAnswer(answer)
            this.answered += 1
            return answer
          }
  }
}

export class FaultBook {
  private entries: Fault[] = []

  add(rule: FaultRule): void {
    const skip = rule.skip ?? 0
    const times = rule.times ?? 1
    if (!(Number.isInteger(skip) && skip >= 0)) throw new Error(`fault skip must be >= 0: ${skip}`)
    if (!(times === Infinity || (Number.isInteger(times) && times >= 1))) {
      throw new Error(`fault times must be a positive integer or Infinity: ${times}`)
    }
    for (const name of ['delayMs', 'answerDelayMs'] as const) {
      const ms = rule[name]
      if (ms !== undefined && !(ms >= 0)) throw new Error(`fault ${name} must be >= 0: ${ms}`)
    }
    const effects = [rule.respond, rule.drop, rule.hang || undefined].filter(e => e !== undefined)
    if (effects.length > 1) throw new Error('a fault rule takes only one of respond, drop, hang')
    if (
      effects.length === 0 &&
      rule.delayMs === undefined &&
      rule.answerDelayMs === undefined &&
      rule.resetAfterAnswer !== true
    ) {
      throw new Error(
        'a fault rule needs delayMs, answerDelayMs, respond, drop, hang or resetAfterAnswer'
      )
    }
    if (rule.drop !== undefined && !['before', 'after', 'mid-body'].includes(rule.drop)) {
      throw new Error(`unknown drop kind: ${String(rule.drop)}`)
    }
    if (rule.respond !== undefined && typeof rule.respond !== 'function') checkAnswer(rule.respond)
    this.entries.push(new Fault({ ...rule }, skip, times))
  }

  clear(): void {
    this.entries = []
  }

  /** The rule to apply to this request, after updating every rule's counters. */
  take(server: ServerName, method: string, path: string): Fault | undefined {
    let chosen: Fault | undefined
    for (const entry of this.entries) {
      if (entry.timesLeft <= 0 || !matches(entry.rule, server, method, path)) continue
      if (entry.skipLeft > 0) {
        entry.skipLeft -= 1
      } else if (chosen === undefined) {
        chosen = entry
      }
    }
    if (chosen === undefined) return undefined
    chosen.timesLeft -= 1
    return chosen
  }
}

function checkAnswer(answer: FaultAnswer): void {
  const { status, body, dripMs } = answer
  if (!(Number.isInteger(status) && status >= 200 && status <= 599)) {
    throw new Error(`fault respond status must be an integer from 200 to 599: ${status}`)
  }
  if (dripMs === undefined) return
  if (!(Number.isFinite(dripMs) && dripMs >= 1)) {
    throw new Error(`fault respond dripMs must be >= 1: ${dripMs}`)
  }
  if (!body) throw new Error('fault respond dripMs needs a body to drip')
}

/** Whether a request is one the rule is about (server, method, path), counters aside. */
export function matches(
  rule: Pick<FaultRule, 'server' | 'method' | 'path'>,
  server: ServerName,
  method: string,
  path: string
): boolean {
  if (rule.server !== undefined && rule.server !== server) return false
  if (rule.method !== undefined && rule.method.toUpperCase() !== method.toUpperCase()) return false
  if (rule.path === undefined) return true
  if (typeof rule.path === 'string') return rule.path === path
  // A global or sticky RegExp keeps state between test() calls; start over each time.
  rule.path.lastIndex = 0
  return rule.path.test(path)
}
