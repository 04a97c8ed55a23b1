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
import type { FaultRule, ServerName } from './emulator-types.js'

interface Entry {
  rule: FaultRule
  skipLeft: number
  timesLeft: number
}

export class FaultBook {
  private entries: Entry[] = []

  add(rule: FaultRule): void {
    const skip = rule.skip ?? 0
    const times = rule.times ?? 1
    if (!(Number.isInteger(skip) && skip >= 0)) throw new Error(`fault skip must be >= 0: ${skip}`)
    if (!(times === Infinity || (Number.isInteger(times) && times >= 1))) {
      throw new Error(`fault times must be a positive integer or Infinity: ${times}`)
    }
    if (rule.delayMs !== undefined && !(rule.delayMs >= 0)) {
      throw new Error(`fault delayMs must be >= 0: ${rule.delayMs}`)
    }
    const effects = [rule.respond, rule.drop, rule.hang || undefined].filter(e => e !== undefined)
    if (effects.length > 1) throw new Error('a fault rule takes only one of respond, drop, hang')
    if (effects.length === 0 && rule.delayMs === undefined && rule.answerDelayMs === undefined) {
      throw new Error('a fault rule needs delayMs, answerDelayMs, respond, drop or hang')
    }
    if (rule.drop !== undefined && !['before', 'after', 'mid-body'].includes(rule.drop)) {
      throw new Error(`unknown drop kind: ${String(rule.drop)}`)
    }
    this.entries.push({ rule: { ...rule }, skipLeft: skip, timesLeft: times })
  }

  clear(): void {
    this.entries = []
  }

  /** The rule to apply to this request, after updating every rule's counters. */
  take(server: ServerName, method: string, path: string): FaultRule | undefined {
    let chosen: Entry | undefined
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
    return chosen.rule
  }
}

function matches(rule: FaultRule, server: ServerName, method: string, path: string): boolean {
  if (rule.server !== undefined && rule.server !== server) return false
  if (rule.method !== undefined && rule.method.toUpperCase() !== method.toUpperCase()) return false
  if (rule.path === undefined) return true
  if (typeof rule.path === 'string') return rule.path === path
  // A global or sticky RegExp keeps state between test() calls; start over each time.
  rule.path.lastIndex = 0
  return rule.path.test(path)
}
