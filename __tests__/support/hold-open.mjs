// Preloaded (node --import) into the action's process by tests that show the step ends when run()
// does: a timer that would keep the event loop, and so the process, alive for ten minutes, as a
// socket a proxy keeps open or a forgotten timer would.
setTimeout(() => undefined, 600_000)
