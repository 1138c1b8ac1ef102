import { describe, expect, it } from 'vitest'
import { retryDelayMs, SocketMonitor } from './apollo'

describe('the websocket reconnection', () => {
  it('waits 0.5 s, then twice as long each time, up to 4 s (plus under 0.25 s of jitter)', () => {
    const waits = [0, 1, 2, 3, 4, 20].map((retries) => Math.floor(retryDelayMs(retries) / 250) * 250)
    expect(waits).toEqual([500, 1000, 2000, 4000, 4000, 4000])
  })

  it('reports connecting, live and reconnecting to its listeners', () => {
    const monitor = new SocketMonitor()
    const heard: string[] = []
    const stop = monitor.subscribe(() => heard.push(monitor.getStatus()))
    monitor.set('live')
    monitor.set('reconnecting')
    monitor.set('live')
    stop()
    monitor.set('reconnecting')
    expect(heard).toEqual(['live', 'reconnecting', 'live'])
    expect(monitor.connections).toBe(2)
  })
})
