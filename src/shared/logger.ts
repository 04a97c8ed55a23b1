import type { Inert } from './outside-text.js'

/** Where an annotation points: a line (and column) of a file of the repository. */
export interface AnnotationPlace {
  title: Inert
  file: Inert
  line: number
  column?: number
  /** A warning annotation, where the step goes on; an error one by default. */
  warning?: boolean
}

/**
 * What the code below the action logs through (only the action's log module imports
 * @actions/core's log functions): messages are Inert, so outside text reaches the log only
 * through the `t` template of outside-text.ts.
 */
export interface Logger {
  debug(message: Inert): void
  info(message: Inert): void
  /** Worth seeing on the run's page, though nothing is wrong. */
  notice(message: Inert): void
  warning(message: Inert): void
  /** An annotation on a line of a file: an error, or a warning (`place.warning`). */
  annotate(message: Inert, place: AnnotationPlace): void
  /** Runs `body` with the lines it logs folded under `title` (a collapsed group in the log). */
  group<T>(title: Inert, body: () => Promise<T>): Promise<T>
  /** Masks a credential (in the runner's log and in every message) before anything prints it. */
  secret(value: string): void
}
