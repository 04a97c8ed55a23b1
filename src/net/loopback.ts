/**
 * Which hosts may be spoken to in plain http://. Loopback only: that is where the project's own
 * emulator runs in tests; anywhere else a secret key or a file must travel over TLS.
 */
export function isLoopback(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, '').toLowerCase()
  return host === 'localhost' || host === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host)
}
