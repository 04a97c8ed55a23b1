/** Pieces shared by the end-to-end tests in __tests__/e2e. */
import { afterEach } from '@jest/globals'
import type { ChildProcess } from 'node:child_process'
import { mkdirSync, mkdtempSync, renameSync, writeFileSync } from 'node:fs'
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http'
import type { Socket } from 'node:net'
import { tmpdir } from 'node:os'
import * as path from 'node:path'
import type { RunOptions } from '../../scripts/run-action.js'
import {
  Emulator,
  type EmulatorOptions,
  type RecordedRequest,
  type ServerName
} from '../../emulator/emulator.js'

/** A well-formed dataset id that no emulator knows unless a test seeds it. */
export const SOME_DATASET_ID = 'dataset_8f14e45f-ea9c-4b6e-9d7a-1c2b3d4e5f60'

/** The inputs that point the action at an emulator. */
export const creds = (e: Emulator) => ({
  'secret-key': e.secretKey,
  'project-id': e.projectId,
  'api-url': e.apiUrl
})

const DAY_MS = 86_400_000

/**
 * Seed times of a dataset that lived its 10 days and expired `daysAgo` days ago: the API still
 * lists it, list hides it and cleanup deletes it.
 */
export function expiredTimes(daysAgo = 1): { createDate: number; expiryTime: number } {
  const now = Date.now()
  return { createDate: now - (10 + daysAgo) * DAY_MS, expiryTime: now - daysAgo * DAY_MS }
}

/** An emulator, for all it has recorded, or some of its recorded requests (e.g. one run's). */
type Requests = Emulator | readonly RecordedRequest[]

/** The requests one server saw, in order; with `method`, only those of that method. */
export function requestsTo(from: Requests, server: ServerName, method?: string): RecordedRequest[] {
  const requests = from instanceof Emulator ? from.requests : from
  return requests.filter(r => r.server === server && (method === undefined || r.method === method))
}

/** The upload host's requests (PUTs to the signed URL). */
export const uploads = (from: Requests): RecordedRequest[] => requestsTo(from, 'upload')

/** The API's requests, optionally of one method (POST creates, DELETE deletes, GET reads). */
export const apiCalls = (from: Requests, method?: string): RecordedRequest[] =>
  requestsTo(from, 'api', method)

/** Call at the top of a test file: starts emulators on demand and closes them after each test. */
export function useEmulators(): (options?: EmulatorOptions) => Promise<Emulator> {
  const started: Emulator[] = []
  afterEach(async () => {
    await Promise.all(started.splice(0).map(e => e.close()))
  })
  return async (options = {}) => {
    const e = await Emulator.start(options)
    started.push(e)
    return e
  }
}

/** How an item server answers a path: one status for every method, or one per method. */
export type ItemRoute = number | { HEAD?: number; GET?: number }

/** A server of dataset items on 127.0.0.1, and every request it got. */
export interface ItemServer {
  origin: string
  requests: Array<{ method: string; path: string; headers: IncomingHttpHeaders }>
}

/**
 * Call at the top of a test file: starts item servers on demand, which answer each path from
 * `routes` (200 for a path not listed, or a method its route leaves out) with an empty body, and
 * closes them after each test.
 */
export function useItemServers(): (routes?: Record<string, ItemRoute>) => Promise<ItemServer> {
  const started: Array<{ server: Server; sockets: Set<Socket> }> = []
  afterEach(async () => {
    const closing = started.splice(0).map(({ server, sockets }) => {
      for (const socket of sockets) socket.destroy()
      return new Promise(resolve => server.close(resolve))
    })
    await Promise.all(closing)
  })
  return async (routes = {}) => {
    const requests: ItemServer['requests'] = []
    const server = createServer((req, res) => {
      const method = req.method ?? ''
      const path = req.url ?? ''
      requests.push({ method, path, headers: req.headers })
      const route = routes[path] ?? 200
      res.statusCode = typeof route === 'number' ? route : (route[method as 'HEAD' | 'GET'] ?? 200)
      res.end()
    })
    const sockets = new Set<Socket>()
    server.on('connection', socket => {
      sockets.add(socket)
      socket.on('close', () => sockets.delete(socket))
    })
    started.push({ server, sockets })
    await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
    const { port } = server.address() as { port: number }
    return { origin: `http://127.0.0.1:${port}`, requests }
  }
}

/**
 * Starts an emulator (through `start`, e.g. useEmulators()'s) whose clock jumps 13 h once it has
 * answered a create: the 12 h signed URL it handed out is stale by the time the upload comes.
 */
export async function startWithStaleUploadUrls(
  start: (options?: EmulatorOptions) => Promise<Emulator>,
  options: EmulatorOptions = {}
): Promise<Emulator> {
  const e: Emulator = await start({
    ...options,
    now: () =>
      Date.now() +
      (e.requests.some(r => r.method === 'POST' && r.answered === 201) ? 13 * 3_600_000 : 0)
  })
  return e
}

/** A fresh directory holding `files` (paths relative to it; folders are made as needed). */
export function workspaceWith(files: Record<string, string | Buffer>): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'nexus-ws-'))
  for (const [name, content] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, name)), { recursive: true })
    writeFileSync(path.join(dir, name), content)
  }
  return dir
}

/** How a cancel reaches the action: a real signal, or the same signal emitted inside its process. */
export type Delivery = 'signal' | 'emitted'

/** A module of this folder, as `node --import` takes it. */
const supportModule = (name: string): string => new URL(`./${name}`, import.meta.url).href

/** A preload that holds every read of a file handle back (see slow-reads.mjs). */
export const SLOW_READS = supportModule('slow-reads.mjs')
/** A preload that keeps the event loop busy for minutes (see hold-open.mjs). */
export const HOLD_OPEN = supportModule('hold-open.mjs')
/** A preload that notes the worker threads the action makes (see watch-workers.mjs). */
export const WATCH_WORKERS = supportModule('watch-workers.mjs')

/** The environment that preloads `modules` (URLs, as SLOW_READS) into the action's process. */
export function preloading(...modules: string[]): Record<string, string> {
  return { NODE_OPTIONS: modules.map(module => `--import=${module}`).join(' ') }
}

/**
 * RunOptions that cancel the action once `ready()` holds (polled every 10 ms): by sending it
 * `signal`, as the Linux and macOS runners do; or by having its own process emit `signal` through
 * a preloaded hook (emit-signal.mjs), which runs the same handler without an operating-system
 * signal, so the cancel path is tested on Windows too. `also` preloads more hooks and sets more
 * of the environment (RunOptions' env would replace this one's).
 */
export function cancelWhen(
  ready: () => boolean,
  signal: NodeJS.Signals,
  delivery: Delivery,
  also: { preloads?: string[]; env?: Record<string, string> } = {}
): Pick<RunOptions, 'onSpawn' | 'env'> {
  const trigger = path.join(mkdtempSync(path.join(tmpdir(), 'nexus-cancel-')), 'signal')
  const fire =
    delivery === 'signal'
      ? (child: ChildProcess) => child.kill(signal)
      : () => {
          // Written whole, then renamed: the hook never reads half a name.
          writeFileSync(`${trigger}.tmp`, signal)
          renameSync(`${trigger}.tmp`, trigger)
        }
  const preloads = [
    ...(delivery === 'emitted' ? [supportModule('emit-signal.mjs')] : []),
    ...(also.preloads ?? [])
  ]
  return {
    env: {
      ...also.env,
      ...(preloads.length > 0 ? preloading(...preloads) : {}),
      ...(delivery === 'emitted' ? { NEXUS_TEST_SIGNAL_FILE: trigger } : {})
    },
    ...onceWhile(ready, fire)
  }
}

/**
 * RunOptions' onSpawn that does `act` once `ready()` holds (polled every 10 ms), if that comes
 * before the action exits: to change its world at a chosen moment of the run.
 */
export function onceWhile(
  ready: () => boolean,
  act: (child: ChildProcess) => void
): Pick<RunOptions, 'onSpawn'> {
  return {
    onSpawn: child => {
      const timer = setInterval(() => {
        if (!ready()) return
        clearInterval(timer)
        act(child)
      }, 10)
      child.on('exit', () => clearInterval(timer))
    }
  }
}
