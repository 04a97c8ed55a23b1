import type { Clock } from './clock.js'
import type { ActionInputs } from './inputs.js'
import type { Logger } from './logger.js'
import type { NexusClient } from './nexus-client.js'

/** What every operation is handed: its inputs, the API, the log, time, and cancellation. */
export interface RunContext {
  inputs: ActionInputs
  client: NexusClient
  log: Logger
  clock: Clock
  random: () => number
  /** Aborts when the runner cancels the job (SIGINT/SIGTERM). */
  signal: AbortSignal
}
