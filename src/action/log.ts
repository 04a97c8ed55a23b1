import * as core from '@actions/core'
import type { Logger } from '../shared/logger.js'
import { keepSecret, type Inert } from '../shared/outside-text.js'

/**
 * The only module that writes to the runner's log (a lint rule keeps core.info and its kin out of
 * every other one). Everything it takes is Inert, so outside text has been through `t`.
 */
export const log: Logger = {
  debug: message => core.debug(message),
  info: message => core.info(message),
  notice: message => core.notice(message),
  warning: message => core.warning(message),
  annotate: (message, place) =>
    (place.warning ? core.warning : core.error)(message, {
      title: place.title,
      file: place.file,
      startLine: place.line,
      ...(place.column ? { startColumn: place.column } : {})
    }),
  group: (title, body) => core.group(title, body),
  secret: value => {
    if (!value) return
    core.setSecret(value)
    keepSecret(value)
  }
}

/**
 * The step's one failure line, and exit code 1. core.setFailed sets the exit code too; doing it
 * here as well keeps it when a harness stubs @actions/core (@github/local-action's setFailed only
 * records it), so `npm run local` fails as the step would.
 */
export function fail(message: Inert): void {
  core.setFailed(message)
  process.exitCode = 1
}

/** How long drained() waits for a reader that has stopped reading (a runner gone, a full pipe). */
const DRAIN_WAIT_MS = 2000

/**
 * Resolves once everything written to stdout and stderr so far has been handed to the system, or
 * after DRAIN_WAIT_MS. The runner reads the step's output through pipes, which Node writes
 * asynchronously on Linux and macOS: process.exit() right after a write can lose it. A write's
 * callback comes after every earlier write's.
 */
export function drained(): Promise<void> {
  let timer: NodeJS.Timeout | undefined
  // Writes nothing (an empty write): it only waits for what the log wrote through @actions/core.
  // eslint-disable-next-line no-restricted-properties
  const written = [process.stdout, process.stderr].map(
    stream => new Promise<void>(resolve => stream.write('', () => resolve()))
  )
  return Promise.race([
    Promise.all(written),
    new Promise<void>(resolve => (timer = setTimeout(resolve, DRAIN_WAIT_MS)))
  ]).then(() => clearTimeout(timer))
}
