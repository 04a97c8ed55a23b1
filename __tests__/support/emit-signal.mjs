// Preloaded (node --import) into the action's process by the cancel tests: once the file named by
// NEXUS_TEST_SIGNAL_FILE exists, it emits the signal written in it on `process`, which runs the
// action's handlers just as a signal from the operating system would. A test cannot send Ctrl-C or
// Ctrl-Break (SIGINT, SIGBREAK) to a Windows child, and child.kill ends one outright: this is how
// the cancel path is tested there, and everywhere else besides the real signals.
import { existsSync, readFileSync } from 'node:fs'

const file = process.env.NEXUS_TEST_SIGNAL_FILE
if (file) {
  const timer = setInterval(() => {
    if (!existsSync(file)) return
    clearInterval(timer)
    const signal = readFileSync(file, 'utf8').trim()
    process.emit(signal, signal)
  }, 10)
  // Never what keeps the action running.
  timer.unref()
}
