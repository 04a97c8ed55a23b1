/**
 * A signal that aborts `ms` after `signal` does: the grace a clean-up still gets after a cancel
 * (the runner's hard kill is seconds away, so it must end, but not at once).
 */
export function afterGrace(signal: AbortSignal, ms: number): AbortSignal {
  const controller = new AbortController()
  const later = (): void => {
    setTimeout(() => controller.abort(signal.reason), ms).unref()
  }
  if (signal.aborted) later()
  else signal.addEventListener('abort', later, { once: true })
  return controller.signal
}
