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
  warning: message => core.warning(message),
  annotate: (message, place) =>
    core.error(message, {
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
